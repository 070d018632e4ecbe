"""A crash costs only the cells it kills: when a student's kernel dies, grading goes on in a fresh one.

nbgrader (like nbclient) gives up on a notebook whose kernel died, so a segfault in one function cost every
point. Here nbgrader's Execute runs in `ExecuteSurvivingCrashes`: when the kernel dies in a cell, that cell gets
an error output that says why (so it scores 0, as any failed test does), a fresh kernel with the same sandbox and
limits is taken, the earlier cells that define things — every code cell before it but the tests and the cells
that killed a kernel — run again silently, and execution goes on with the next cell. After `MAX_RESTARTS`
deaths the remaining cells are marked as not run. The task's status is then `crashed`, with the score of the
cells that ran and a message naming the cell and the function that killed the kernel.
"""

from __future__ import annotations

import copy
import re
import signal
from dataclasses import dataclass, field

from nbformat import NotebookNode

from . import kernels

#: Fresh kernels a notebook may take after its first one died; a notebook that kills each of them stops there.
MAX_RESTARTS = 4
#: The error a killed cell shows (nbgrader scores a cell with an error output 0).
ENAME = "KernelDied"
#: A frame of a notebook cell in Python's stack, as faulthandler prints it (IPython compiles each cell to such a file).
_CELL_FRAME = re.compile(r'File "[^"]*/ipykernel_\d+/\d+\.py", line \d+ in (\S+)')
_CAUSES = {signal.SIGSEGV: "segmentation fault", signal.SIGBUS: "bus error", signal.SIGABRT: "aborted",
           signal.SIGFPE: "floating-point exception", signal.SIGILL: "illegal instruction",
           signal.SIGKILL: "killed, e.g. out of memory"}


@dataclass
class Death:
    """One kernel death: where (cell index and grade_id or 'cell N'), why, and in which function."""

    index: int
    cell: str
    cause: str
    function: str | None

    @property
    def message(self) -> str:
        running = f" while running {self.function}" if self.function else ""
        return f"{self.cell}: the kernel died ({self.cause}){running}"


@dataclass
class Run:
    """The kernels one submission used, and how each that died did."""

    settings: kernels.KernelSettings
    kernel: kernels.Kernel
    used: list = field(default_factory=list)
    deaths: list[Death] = field(default_factory=list)
    gave_up: bool = False

    def __post_init__(self):
        self.used.append(self.kernel)

    def discard(self) -> None:
        for kernel in self.used:
            kernel.discard()


def cause_of_death(kernel: kernels.Kernel) -> tuple[str, str | None]:
    """(why the kernel died, the innermost notebook function that was running) from its exit status and fault log."""
    try:
        log = kernel.fault_log.read_text(errors="replace")
    except OSError:
        log = ""
    status = kernel.exit_status
    exited = re.search(r"^os\._exit\((-?\d+)\)$", log, re.MULTILINE)
    if exited:
        cause = f"os._exit({exited.group(1)})"
    elif status is not None and (status < 0 or (kernel.settings.sandbox and status > 128)):
        # a signal: Python reports it as a negative status; bubblewrap, like a shell, as 128 + the signal
        number = -status if status < 0 else status - 128
        try:
            cause = _CAUSES.get(signal.Signals(number), signal.Signals(number).name)
        except ValueError:
            cause = f"signal {number}"
    elif status is not None:
        cause = f"exit status {status}"
    else:
        cause = "it stopped answering"
    functions = [f for f in _CELL_FRAME.findall(log) if f != "<module>"]
    return cause, (functions[0] if functions else None)


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _is_test(cell) -> bool:
    return bool(cell.get("metadata", {}).get("nbgrader", {}).get("grade"))


def _error(cell, text: str) -> None:
    cell.outputs.append(NotebookNode(output_type="error", ename=ENAME, evalue=text, traceback=[f"{ENAME}: {text}"]))


def execute_class(base):
    """nbgrader's Execute (`base`, same configuration) run in the task's kernel, surviving the kernel's death."""
    from nbclient.exceptions import DeadKernelError

    class ExecuteSurvivingCrashes(base):
        """nbgrader's Execute in the kernel `kernels.take` gave this task (nbclient neither starts nor shuts it
        down: the task kills every kernel it used once the notebook has run), taking a fresh one when it dies."""

        run: Run | None = None  # set per task

        def preprocess(self, nb, resources=None, km=None):
            self._killers: set[int] = set()
            try:
                return super().preprocess(nb, resources, km=type(self).run.kernel.manager)
            finally:
                if self.kc is not None:
                    self.kc.stop_channels()
                    self.kc = None

        def preprocess_cell(self, cell, resources, index):
            run = type(self).run
            internal = cell.get("metadata", {}).get("autograder_internal")
            if run.gave_up and not internal:
                if cell.cell_type == "code":
                    cell.outputs = []
                    _error(cell, f"not run: the kernel died {len(run.deaths)} times, the last in {run.deaths[-1].cell}")
                return cell, resources
            try:
                if run.gave_up:  # the integrity report still runs, in one last kernel that ran the student's cells
                    self._fresh_kernel(index)
                return super().preprocess_cell(cell, resources, index)
            except _ReplayDied as died:
                self._died(self.nb.cells[died.index], died.index, mark=False)
            except DeadKernelError:
                self._died(cell, index)
                self._recover(index)
            return cell, resources

        def _died(self, cell, index: int, mark: bool = True) -> None:
            run = type(self).run
            cause, function = cause_of_death(run.kernel)
            death = Death(index, _grade_id(cell) or f"cell {index}", cause, function)
            run.deaths.append(death)
            self._killers.add(index)
            if mark:
                _error(cell, death.message)

        def _fresh_kernel(self, index: int) -> None:
            """Take a fresh kernel and run again every code cell before `index` that is not a test or a killer."""
            run = type(self).run
            if self.kc is not None:
                self.kc.stop_channels()
            run.kernel = kernels.take(run.settings)
            run.used.append(run.kernel)
            self.km = run.kernel.manager
            self.start_new_kernel_client()
            for i, cell in enumerate(self.nb.cells[:index]):
                if i not in self._killers and cell.cell_type == "code" and not _is_test(cell):
                    try:
                        self.execute_cell(copy.deepcopy(cell), i, store_history=False)
                    except DeadKernelError:
                        raise _ReplayDied(i) from None

        def _recover(self, index: int) -> None:
            """Go on after the kernel died in cell `index`: a fresh kernel, or give up after MAX_RESTARTS."""
            run = type(self).run
            while len(run.deaths) <= MAX_RESTARTS:
                try:
                    self._fresh_kernel(index)
                    return
                except _ReplayDied as died:  # a cell that ran before kills the fresh kernel: a killer too
                    self._died(self.nb.cells[died.index], died.index, mark=False)
            run.gave_up = True

    return ExecuteSurvivingCrashes


class _ReplayDied(Exception):
    """The kernel died while an earlier cell ran again in it."""

    def __init__(self, index: int):
        super().__init__(index)
        self.index = index

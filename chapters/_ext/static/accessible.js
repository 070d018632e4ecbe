// WCAG 2.1 AA fix (added by chapters/_ext/accessible_html.py), axe-core rule scrollable-region-focusable:
// formulas are not tab stops (mathjax3_config in _config.yml), but a display formula wider than the page
// scrolls sideways, and a keyboard user must be able to scroll it: such a formula becomes focusable.
window.addEventListener("load", () => {
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) return;
  MathJax.startup.promise.then(() => {
    for (const formula of document.querySelectorAll('mjx-container[display="true"]')) {
      if (formula.scrollWidth > formula.clientWidth + 1) formula.tabIndex = 0;
    }
  });
});

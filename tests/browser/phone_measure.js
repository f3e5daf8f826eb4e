// What tests/browser/phone.py measures on each page (issue 14). See its docstring.
() => {
  const MIN = 44;
  const selector = [
    "a.btn", "button", "input[type=submit]", "input[type=button]", "input[type=checkbox]",
    "input[type=radio]", "select", "summary", ".nav-link", ".page-link", "main a",
  ].join(",");
  const inline = (el) => el.tagName === "A" && !el.classList.contains("btn")
    && el.closest("p, .form-text, .small-print, .alert, dd, li.breadcrumb-item, label, legend, .text-prose");
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden"
      && !el.closest("[hidden], .dropdown-menu:not(.show), .collapse:not(.show), .visually-hidden, .visually-hidden-focusable");
  };
  const union = (a, b) => {
    const left = Math.min(a.left, b.left), top = Math.min(a.top, b.top);
    return { width: Math.max(a.right, b.right) - left, height: Math.max(a.bottom, b.bottom) - top };
  };
  const target = (el) => {
    let box = el.getBoundingClientRect();
    if ((el.type === "checkbox" || el.type === "radio") && el.labels && el.labels.length) {
      box = union(box, el.labels[0].getBoundingClientRect());
      const holder = el.closest(".form-check, .check-target");
      if (holder) box = union(box, holder.getBoundingClientRect());
    }
    return box;
  };
  const describe = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || el.name || el.id || "").trim();
    return el.tagName.toLowerCase() + (el.type ? "[" + el.type + "]" : "") + ' "' + text.slice(0, 40) + '"';
  };
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!visible(el) || inline(el)) continue;
    const box = target(el);
    if (box.width < MIN - 0.5 || box.height < MIN - 0.5) {
      small.push(describe(el) + " " + Math.round(box.width) + "x" + Math.round(box.height));
    }
  }
  const unreachable = [];
  for (const el of document.querySelectorAll("body *")) {
    const style = getComputedStyle(el);
    const scrolls = (style.overflowX === "auto" || style.overflowX === "scroll") && el.scrollWidth > el.clientWidth + 1;
    if (scrolls && el.tabIndex < 0 && !el.querySelector("a, button, input, select, textarea")) {
      unreachable.push(el.tagName.toLowerCase() + "." + [...el.classList].join("."));
    }
  }
  return {
    width: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    small: small,
    unreachable: unreachable,
  };
}

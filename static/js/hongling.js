// Behaviours of every page, bound by data attributes (no inline handlers: the Content-Security-Policy allows
// scripts from our own files only).
//   data-confirm="问题?"   on a button or a form: ask before submitting
//   data-autosubmit        on a select: submit its form when it changes
//   data-select-on-click   on an input: select its text when clicked
//   data-copy-from="id"    on a button: copy the value of that input
//   data-typed-search      on a search box its form already searches as the user types: leaving the box (which
//                          fires "change") does not search again, so a tap on a result is not lost to a list
//                          that is being replaced under the finger
//   data-dismiss="alert"   on a button inside an .alert: close that message (what Bootstrap's JS did; it is not
//                          loaded: a phone on a weak link downloads only what its pages use)
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-confirm]");
    if (target && target.tagName !== "FORM" && !window.confirm(target.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    var select = event.target.closest("[data-select-on-click]");
    if (select) {
      select.select();
    }
    var dismiss = event.target.closest("[data-dismiss=alert]");
    if (dismiss && dismiss.closest(".alert")) {
      dismiss.closest(".alert").remove();
      return;
    }
    var copy = event.target.closest("[data-copy-from]");
    if (copy) {
      var input = document.getElementById(copy.getAttribute("data-copy-from"));
      var done = function () { copy.innerHTML = '<i class="bi bi-check"></i> 已复制'; };
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done);
      } else if (document.execCommand("copy")) {
        done();
      }
    }
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-typed-search]")) {
      event.stopPropagation();
    }
  }, true);
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]") && event.target.form) {
      event.target.form.submit();
    }
  });
})();

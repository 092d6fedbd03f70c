// A second tap on a form's button while the page is still sending the first one is ignored,
// so a slow connection does not send the same form twice (the server also refuses a second
// copy of the forms that create records: santaanita/once.py). Forms that a script sends
// itself (the offline survey, the judge's tablet) cancel the browser's submit and are left
// alone. After 15 s the form may be sent again, in case the first attempt was lost.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) return;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    if (form.hasAttribute("hx-post") || form.hasAttribute("data-hx-post")) return;
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    window.setTimeout(function () { delete form.dataset.sending; }, 15000);
  });
  // A page restored from the back-forward cache must not keep a form blocked.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sending]"), function (form) {
      delete form.dataset.sending;
    });
  });
})();

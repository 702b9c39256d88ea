// The page of a document being prepared (templates/exchange/preparing.html): ask the same
// address every few seconds with HEAD, and load it only once it answers 200 (the file),
// so the page never reloads under the reader while the document is not ready. Without
// JavaScript the "Check again now" link does the same by hand.
(function () {
  "use strict";
  var status = document.querySelector("[data-check-every]");
  if (!status || !window.fetch) {
    return;
  }
  var seconds = Number(status.getAttribute("data-check-every")) || 5;
  function check() {
    fetch(window.location.href, { method: "HEAD", credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 200) {
          window.location.reload();
        } else {
          window.setTimeout(check, seconds * 1000);
        }
      })
      .catch(function () {
        window.setTimeout(check, seconds * 1000);
      });
  }
  window.setTimeout(check, seconds * 1000);
})();

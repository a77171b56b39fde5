// Wide screens show the filters as an open sidebar. Browsers that style ::details-content do
// it in CSS; for the others, open the fold here. Without JavaScript it stays a working fold.
(function () {
  if (window.matchMedia("(min-width: 62rem)").matches) {
    document.querySelectorAll("details.browse__filters").forEach(function (details) {
      details.open = true;
    });
  }
})();

// Boots every map rendered by django-leaflet's {% leaflet_map %} tag (our override of
// leaflet/_leaflet_map.html puts the options in data attributes instead of an inline
// script, which the Content-Security-Policy forbids). Maps fire "map:init" on window.
(function () {
  "use strict";
  function boot() {
    document.querySelectorAll("[data-leaflet-map]").forEach(function (el) {
      if (el.dataset.booted) return;
      el.dataset.booted = "1";
      L.Map.djangoMap(el.id, {
        djoptions: JSON.parse(el.dataset.djoptions),
        globals: false,
        callback: null,
      });
    });
  }
  // DOMContentLoaded fires after every deferred script has run, so page scripts that
  // listen for "map:init" are registered before the first map exists.
  if (document.readyState === "complete") {
    boot();
  } else {
    document.addEventListener("DOMContentLoaded", boot);
  }
})();

// Open problem reports as a layer of the public map (category and status only: nothing
// about who reported), and "report a problem here": a tap on the map offers the report form
// at that point, which the server snaps to the nearest public space.
(function () {
  "use strict";
  window.addEventListener("map:init", function (event) {
    var map = event.detail.map;
    var toggle = document.getElementById("report-layer");
    if (!toggle || map.getContainer().id !== "space-map") return;
    var layer = L.layerGroup().addTo(map);
    var pending = null;

    function marker(feature) {
      var p = feature.properties;
      var c = feature.geometry.coordinates;
      var m = L.circleMarker([c[1], c[0]], {
        radius: 6,
        color: "#5a1a8c",
        weight: 3,
        fillColor: "#fff",
        fillOpacity: 1,
        className: "report-marker report-" + p.status,
      });
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.category_label + " · " + p.status_label + " · " + p.space;
      m.bindPopup(link);
      return m;
    }

    function load() {
      if (pending) pending.abort();
      layer.clearLayers();
      if (!toggle.checked) return;
      pending = new AbortController();
      var b = map.getBounds();
      var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (n) {
        return n.toFixed(4);
      }).join(",");
      fetch(toggle.dataset.url + "?bbox=" + bbox, { signal: pending.signal })
        .then(function (r) { return r.ok ? r.json() : { features: [] }; })
        .then(function (data) {
          data.features.forEach(function (f) { layer.addLayer(marker(f)); });
          map.getContainer().dataset.reports = String(data.features.length);
        })
        .catch(function () {});
    }

    map.on("click", function (e) {
      var link = document.createElement("a");
      link.href = toggle.dataset.reportUrl + "?lat=" + e.latlng.lat.toFixed(6) + "&lon=" + e.latlng.lng.toFixed(6);
      link.textContent = toggle.dataset.reportLabel;
      L.popup().setLatLng(e.latlng).setContent(link).openOn(map);
    });
    map.on("moveend", load);
    toggle.addEventListener("change", load);
    load();
  });
})();

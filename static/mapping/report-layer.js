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

    // The widest window the server answers, less a margin: four decimals move each edge by
    // up to half of 0.0001°, and the server subtracts them in floating point.
    var maxSpan = parseFloat(toggle.dataset.maxSpan) - 0.0002;

    function tooWide(view) {
      return view.getEast() - view.getWest() > maxSpan || view.getNorth() - view.getSouth() > maxSpan;
    }

    function show(features) {
      layer.clearLayers();
      features.forEach(function (f) { layer.addLayer(marker(f)); });
      map.getContainer().dataset.reports = String(features.length);
    }

    // Asked for as the shared MapWindow says (leaflet-boot.js), like the spaces: once per
    // settled view, again for a new zoom or when the layer is switched on. A view wider
    // than the server answers shows no reports (zoom in) and asks for nothing.
    var refresh = MapWindow.follow(map, {
      key: function () { return toggle.checked ? "on" : "off"; },
      maxSpan: maxSpan,
      load: function (b, signal) {
        if (!toggle.checked || tooWide(map.getBounds())) {
          show([]);
          return null;
        }
        var bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (n) {
          return n.toFixed(4);
        }).join(",");
        return fetch(toggle.dataset.url + "?bbox=" + bbox, { signal: signal })
          .then(function (r) {
            if (!r.ok) throw new Error(r.status);
            return r.json();
          })
          .then(function (data) { show(data.features); });
      },
      failed: function () { show([]); },
    });

    map.on("click", function (e) {
      var link = document.createElement("a");
      link.href = toggle.dataset.reportUrl + "?lat=" + e.latlng.lat.toFixed(6) + "&lon=" + e.latlng.lng.toFixed(6);
      link.textContent = toggle.dataset.reportLabel;
      L.popup().setLatLng(e.latlng).setContent(link).openOn(map);
    });
    toggle.addEventListener("change", refresh);
  });
})();

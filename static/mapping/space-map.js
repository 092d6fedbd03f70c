// The public map of spaces: loads the spaces of the visible window from the API (bbox),
// clusters them with the vendored leaflet.markercluster and colours them by condition.
// Works without background tiles: the district outline and the markers are data.
(function () {
  "use strict";
  var COLORS = { good: "#1b7f3b", fair: "#c77c00", bad: "#b3261e", unknown: "#6b6b6b" };

  window.addEventListener("map:init", function (event) {
    var map = event.detail.map;
    var form = document.getElementById("space-filters");
    if (!form || map.getContainer().id !== "space-map") return;
    var counter = document.getElementById("space-count");
    var outlineSource = document.getElementById("district-outline");
    var outline = outlineSource ? JSON.parse(outlineSource.textContent) : null;
    if (outline) {
      var layer = L.geoJSON(outline, {
        style: { color: "#222", weight: 2, fill: false, dashArray: "4 4" },
        interactive: false,
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    }
    // Clusters are neutral (the default green/yellow/orange by size would read as
    // conditions); their label says how many spaces they hold.
    var clusters = L.markerClusterGroup({
      chunkedLoading: true,
      disableClusteringAtZoom: 17,
      iconCreateFunction: function (cluster) {
        return L.divIcon({
          html: "<span>" + cluster.getChildCount() + "</span>",
          className: "space-cluster",
          iconSize: L.point(36, 36),
        });
      },
    });
    map.addLayer(clusters);
    var pending = null;

    function query() {
      var b = map.getBounds();
      var params = new URLSearchParams(new FormData(form));
      Array.from(params.keys()).forEach(function (key) {
        if (!params.get(key)) params.delete(key);
      });
      params.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (n) {
        return n.toFixed(5);
      }).join(","));
      params.set("geometry", "centroid");
      return form.dataset.api + "?" + params.toString();
    }

    function marker(feature) {
      var p = feature.properties;
      var c = feature.geometry.coordinates;
      var m = L.circleMarker([c[1], c[0]], {
        radius: 8,
        color: "#fff",
        weight: 2,
        fillColor: COLORS[p.condition] || COLORS.unknown,
        fillOpacity: 0.95,
        className: "space-marker space-" + p.condition,
      });
      var link = document.createElement("a");
      link.href = p.url;
      link.textContent = p.name;
      m.bindPopup(link);
      m.bindTooltip(p.name);
      return m;
    }

    function load() {
      if (pending) pending.abort();
      pending = new AbortController();
      fetch(query(), { signal: pending.signal, headers: { Accept: "application/geo+json, application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          clusters.clearLayers();
          clusters.addLayers(data.features.map(marker));
          if (counter) counter.textContent = data.features.length + " " + (counter.dataset.unit || "");
          map.getContainer().dataset.loaded = String(data.features.length);
        })
        .catch(function (err) {
          if (err.name !== "AbortError" && counter) counter.textContent = "";
        });
    }

    map.on("moveend", load);
    form.addEventListener("change", load);
    form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
    load();
  });
})();

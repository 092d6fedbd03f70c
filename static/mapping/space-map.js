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

    function filters() {
      var params = new URLSearchParams(new FormData(form));
      Array.from(params.keys()).forEach(function (key) {
        if (!params.get(key)) params.delete(key);
      });
      return params;
    }

    function query(b) {
      var params = filters();
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

    // The window's spaces, asked for as the shared MapWindow says (leaflet-boot.js): once
    // per settled view, again for a new zoom or new filters.
    var refresh = MapWindow.follow(map, {
      key: function () { return filters().toString(); },
      load: function (bounds, signal) {
        return fetch(query(bounds), { signal: signal, headers: { Accept: "application/geo+json, application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            clusters.clearLayers();
            clusters.addLayers(data.features.map(marker));
            if (counter) counter.textContent = data.features.length + " " + (counter.dataset.unit || "");
            map.getContainer().dataset.loaded = String(data.features.length);
          });
      },
      failed: function () {
        if (counter) counter.textContent = "";
      },
    });
    form.addEventListener("change", refresh);
    form.addEventListener("submit", function (e) { e.preventDefault(); refresh(); });
    search(map);
  });

  // Search by name, as uMap's data browser does: the district's whole layer (centroids,
  // cached by the server) is read once, names are compared without accents or case, and
  // choosing a space moves the map to it. The form stays hidden where this cannot run.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function search(map) {
    var form = document.getElementById("space-search");
    if (!form) return;
    var input = form.querySelector("input[type=search]");
    var results = document.getElementById("space-search-results");
    var layer = null;
    form.hidden = false;

    function features() {
      if (!layer) {
        layer = fetch(form.dataset.layer, { headers: { Accept: "application/geo+json, application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (data) { return data.features; });
      }
      return layer;
    }

    function go(feature) {
      var c = feature.geometry.coordinates;
      var link = document.createElement("a");
      link.href = feature.properties.url;
      link.textContent = feature.properties.name;
      map.setView([c[1], c[0]], 18);
      L.popup().setLatLng([c[1], c[0]]).setContent(link).openOn(map);
      results.textContent = "";
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var wanted = fold(input.value.trim());
      features().then(function (all) {
        var found = all.filter(function (f) { return fold(f.properties.name).indexOf(wanted) !== -1; });
        results.textContent = "";
        if (found.length === 1) return go(found[0]);
        if (!found.length) {
          var none = document.createElement("li");
          none.textContent = form.dataset.none;
          results.appendChild(none);
          return;
        }
        found.slice(0, 10).forEach(function (feature) {
          var item = document.createElement("li");
          var button = document.createElement("button");
          button.type = "button";
          button.className = "button button-quiet";
          button.textContent = feature.properties.name;
          button.addEventListener("click", function () { go(feature); });
          item.appendChild(button);
          results.appendChild(item);
        });
      });
    });
  }
})();

// The organizations layer of the directory map: public organizations with a map point,
// loaded from the page's GeoJSON endpoint (no personal data in it).
(function () {
  "use strict";
  window.addEventListener("map:init", function (event) {
    var map = event.detail.map;
    var source = document.getElementById("organization-layer");
    if (!source) return;
    fetch(source.dataset.url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            return L.circleMarker(latlng, { radius: 7, color: "#0d5c4a", fillOpacity: 0.8 });
          },
          onEachFeature: function (feature, marker) {
            var link = document.createElement("a");
            link.href = feature.properties.url;
            link.textContent = feature.properties.name;
            var box = document.createElement("div");
            box.appendChild(link);
            box.appendChild(document.createElement("br"));
            box.appendChild(document.createTextNode(feature.properties.typology));
            marker.bindPopup(box);
          },
        }).addTo(map);
        if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 16 });
      });
  });
})();

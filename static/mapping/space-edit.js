// Draw a space's geometry (a point, a polygon or a rectangle) with Leaflet.draw, which
// django-leaflet ships; the GeoJSON goes into the form's textarea, which also accepts a
// pasted geometry. No tiles needed: the district outline is drawn from the page.
(function () {
  "use strict";
  window.addEventListener("map:init", function (event) {
    var map = event.detail.map;
    if (map.getContainer().id !== "space-edit-map") return;
    var input = document.querySelector("textarea.geojson-input");
    var outlineSource = document.getElementById("district-outline");
    var outline = outlineSource ? JSON.parse(outlineSource.textContent) : null;
    if (outline) {
      var layer = L.geoJSON(outline, {
        style: { color: "#222", weight: 2, fill: false, dashArray: "4 4" },
        interactive: false,
      }).addTo(map);
      map.fitBounds(layer.getBounds(), { padding: [8, 8] });
    }
    var drawn = new L.FeatureGroup().addTo(map);

    function show() {
      drawn.clearLayers();
      var geometry;
      try {
        geometry = JSON.parse(input.value);
      } catch (e) {
        return;
      }
      if (!geometry || !geometry.type) return;
      L.geoJSON(geometry).eachLayer(function (l) { drawn.addLayer(l); });
      if (drawn.getLayers().length) {
        var b = drawn.getBounds();
        if (b.isValid()) map.fitBounds(b, { maxZoom: 18, padding: [24, 24] });
      }
    }
    function write() {
      var layers = drawn.getLayers();
      input.value = layers.length ? JSON.stringify(layers[0].toGeoJSON().geometry) : "";
    }

    map.addControl(
      new L.Control.Draw({
        edit: { featureGroup: drawn },
        draw: { polyline: false, circle: false, circlemarker: false },
      })
    );
    map.on(L.Draw.Event.CREATED, function (e) {
      drawn.clearLayers();
      drawn.addLayer(e.layer);
      write();
    });
    map.on(L.Draw.Event.EDITED, write);
    map.on(L.Draw.Event.DELETED, write);
    input.addEventListener("change", show);
    show();
  });
})();

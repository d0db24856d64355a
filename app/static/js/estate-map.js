/* The map of the estates (estates/estate_map.html), drawn with Leaflet served by the app.
 *
 * The markers are read from the list beside the map (data-lat, data-lng, data-url, data-name on each item), so the
 * list is the page's accessible equivalent and no script is inline. Tiles only when the page names a tile URL
 * (data-tiles, from MAP_TILE_URL); otherwise the points sit on a plain background. A point opens its estate's page.
 */
(function () {
  "use strict";
  var box = document.getElementById("estate-map");
  if (!box || typeof L === "undefined") { return; }
  var list = document.getElementById(box.dataset.list);
  if (!list) { return; }

  function escapeHtml(text) {
    var span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  var map = L.map(box, { zoomControl: false, attributionControl: false, scrollWheelZoom: false });
  L.control.zoom({ zoomInTitle: box.dataset.zoomIn, zoomOutTitle: box.dataset.zoomOut }).addTo(map);
  if (box.dataset.tiles) {
    L.control.attribution({ prefix: false }).addTo(map);
    L.tileLayer(box.dataset.tiles, { maxZoom: 18, attribution: escapeHtml(box.dataset.attribution || "") }).addTo(map);
  } else {
    box.classList.add("estate-map-plain");
  }

  var points = [];
  list.querySelectorAll("li[data-lat]").forEach(function (item) {
    var lat = parseFloat(item.dataset.lat), lng = parseFloat(item.dataset.lng);
    if (!isFinite(lat) || !isFinite(lng)) { return; }
    var marker = L.circleMarker([lat, lng], {
      radius: 8, color: "#0b5d3b", weight: 2, fillColor: "#198754", fillOpacity: 0.8
    }).addTo(map);
    var label = document.createElement("span");  // a text node: a name is never read as HTML
    label.textContent = item.dataset.name;
    marker.bindTooltip(label);
    marker.on("click", function () { window.location.assign(item.dataset.url); });
    points.push([lat, lng]);
  });
  if (points.length === 1) {
    map.setView(points[0], 12);
  } else if (points.length > 1) {
    map.fitBounds(points, { padding: [40, 40], maxZoom: 13 });
  }
})();

/* hotspots: draws a map's layers from the JSON data element of the page.
 *
 * This file holds code only. Every value from data (ids, names, residents' words, numbers)
 * arrives in the page's JSON data element (id "hotspots-data"), which the browser never
 * runs; strings meant as HTML (popups, tooltips, title, legend) were escaped by hotspots
 * before they were written. Nothing here builds HTML from data.
 *
 * data = {title, legend, tiles, collapse_below_px, layers: [spec, ...]}
 * (the legend and the layer list start folded on screens narrower than collapse_below_px)
 * spec = {name, show, points | polygons | shapes, props: {column: [value per feature]},
 *         style, style_by, fill_by, stroke_by, label_by, radius_by, opacity_by: {column, max}, tooltip: [[column,
 *         label], ...], popup, popup_from, class_name, canvas}
 */
window.hotspotsDraw = function (map) {
  "use strict";
  var element = document.getElementById("hotspots-data");
  var data = JSON.parse(element.textContent);
  var popupOptions = {maxWidth: 380, autoPanPaddingTopLeft: [20, 90]};
  var popups = {};  // place id -> popup HTML (escaped by hotspots)
  var areas = {};  // place id -> its area layer
  var canvas = null;
  var overlays = {};
  window._HOTSPOT_AREAS = areas;

  function value(spec, column, i) {
    var values = spec.props && spec.props[column];
    return values ? values[i] : undefined;
  }

  function options(spec, i) {
    var out = {};
    var base = spec.style || {};
    for (var key in base) { out[key] = base[key]; }
    if (spec.style_by) {
      var own = value(spec, spec.style_by, i) || {};
      for (var name in own) { out[name] = own[name]; }
    }
    if (spec.fill_by) { out.fillColor = value(spec, spec.fill_by, i); }
    if (spec.stroke_by) { out.color = value(spec, spec.stroke_by, i); }
    if (spec.opacity_by) {
      out.fillOpacity = 0.15 + 0.6 * value(spec, spec.opacity_by.column, i) / spec.opacity_by.max;
    }
    if (spec.radius_by) { out.radius = value(spec, spec.radius_by, i); }
    if (spec.class_name) { out.className = spec.class_name; }
    if (spec.canvas) {
      canvas = canvas || L.canvas();
      out.renderer = canvas;
    }
    return out;
  }

  function tooltip(spec, i) {
    var lines = [];
    spec.tooltip.forEach(function (pair) {
      var shown = value(spec, pair[0], i);
      if (shown === null || shown === undefined || shown === "") { return; }
      lines.push(pair[1] ? pair[1] + ": " + shown : String(shown));
    });
    return lines.join("<br>");
  }

  function decorate(spec, layer, i) {
    if (spec.label_by) {  // a short permanent label on the marker (e.g. the rank)
      layer.bindTooltip(String(value(spec, spec.label_by, i)),
                        {permanent: true, direction: "center", className: "hotspot-rank"});
    } else if (spec.tooltip) {
      var text = tooltip(spec, i);
      if (text) { layer.bindTooltip(text); }
    }
    if (spec.popup) {
      var html = value(spec, spec.popup, i);
      var place = spec.popup_key ? value(spec, spec.popup_key, i) : null;
      if (place !== null) {
        popups[place] = html;
        if (spec.registers_areas) { areas[place] = layer; }
      }
      layer.bindPopup(html, popupOptions);
    } else if (spec.popup_from) {
      var key = value(spec, spec.popup_from, i);
      layer.bindPopup(function () { return popups[key] || ""; }, popupOptions);
    }
    return layer;
  }

  function build(spec) {
    var group = L.featureGroup();
    var i;
    if (spec.points) {
      for (i = 0; i < spec.points.length; i++) {
        var at = spec.points[i];
        var marker = spec.radius_by ? L.circle(at, options(spec, i)) : L.circleMarker(at, options(spec, i));
        group.addLayer(decorate(spec, marker, i));
      }
    } else if (spec.polygons) {
      for (i = 0; i < spec.polygons.length; i++) {
        group.addLayer(decorate(spec, L.polygon(spec.polygons[i], options(spec, i)), i));
      }
    } else if (spec.shapes) {
      for (i = 0; i < spec.shapes.length; i++) {
        var shape = L.geoJSON(spec.shapes[i], {style: options(spec, i)});
        shape.eachLayer(function (part) { decorate(spec, part, i); });
        group.addLayer(shape);
      }
    }
    return group;
  }

  if (data.tiles) {
    var tiles = L.tileLayer(data.tiles.url, {attribution: data.tiles.attribution, maxZoom: 19});
    tiles.addTo(map);
    overlays[data.tiles.name] = tiles;
  }
  data.layers.forEach(function (spec) {
    var layer = build(spec);
    if (overlays[spec.name]) {  // several specs of one layer (e.g. areas and circles)
      overlays[spec.name].addLayer(layer);
      return;
    }
    overlays[spec.name] = layer;
    if (spec.show !== false) { layer.addTo(map); }
  });
  var small = window.innerWidth < (data.collapse_below_px || 0);
  L.control.layers(null, overlays, {collapsed: small}).addTo(map);
  document.getElementById("hotspots-title").innerHTML = data.title;
  document.getElementById("hotspots-legend-body").innerHTML = data.legend;
  // the legend folds to its button (phones start folded, so the map stays usable)
  var legend = document.getElementById("hotspots-legend");
  var toggle = document.getElementById("hotspots-legend-toggle");
  function fold(folded) {
    legend.classList.toggle("collapsed", folded);
    toggle.setAttribute("aria-expanded", folded ? "false" : "true");
    toggle.textContent = folded ? "Legend \u25B8" : "Legend \u25BE";
  }
  fold(small);
  toggle.addEventListener("click", function () {
    fold(!legend.classList.contains("collapsed"));
  });
  L.DomEvent.disableClickPropagation(legend);
  L.DomEvent.disableScrollPropagation(legend);
};

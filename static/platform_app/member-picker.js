// The agreement form's member picker: a search box that narrows the checkboxes (grouped by
// stakeholder sector) as the coordinator types. Without JavaScript the grouped list is
// still there; the box is added only where it works.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  document.querySelectorAll("[data-member-picker]").forEach(function (picker, index) {
    var boxes = Array.prototype.slice.call(picker.querySelectorAll("input[type=checkbox]"));
    if (!boxes.length) return;
    var id = "member-search-" + index;
    var field = document.createElement("div");
    field.className = "member-search";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = picker.dataset.searchLabel;
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    var none = document.createElement("p");
    none.className = "empty";
    none.hidden = true;
    none.textContent = picker.dataset.none;
    field.appendChild(label);
    field.appendChild(input);
    picker.insertBefore(field, picker.firstChild);
    picker.appendChild(none);
    // Django renders each sector as a block (its name, then one block per member).
    var rows = boxes.map(function (box) { return box.closest("label").parentElement; });
    var groups = rows.map(function (row) { return row.parentElement; }).filter(function (g, i, all) {
      return all.indexOf(g) === i;
    });
    input.addEventListener("input", function () {
      var wanted = fold(input.value.trim());
      var shown = 0;
      boxes.forEach(function (box, i) {
        // A ticked member stays in sight: the search never hides a choice already made.
        var match = !wanted || box.checked || fold(rows[i].textContent).indexOf(wanted) !== -1;
        rows[i].hidden = !match;
        if (match) shown += 1;
      });
      // A sector with no member left in sight folds away with its name.
      groups.forEach(function (group) {
        group.hidden = rows.every(function (row) { return row.parentElement !== group || row.hidden; });
      });
      none.hidden = shown > 0;
    });
  });
})();

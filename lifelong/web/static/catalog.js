// Authoring form: show only the content fields of the chosen resource type.
(function () {
  var form = document.getElementById("resource-form");
  if (!form) return;
  var select = form.querySelector("select[name=type]");
  function update() {
    form.querySelectorAll("fieldset[data-types]").forEach(function (set) {
      set.hidden = set.dataset.types.split(" ").indexOf(select.value) < 0;
    });
  }
  select.addEventListener("change", update);
  update();
})();

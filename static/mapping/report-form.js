// The report form's "Use my location": fills the hidden coordinates from the phone's GPS;
// the server snaps them to the nearest public space when none is chosen.
(function () {
  "use strict";
  const button = document.querySelector("[data-report-locate]");
  if (!button || !("geolocation" in navigator)) {
    if (button) button.hidden = true;
    return;
  }
  const status = document.querySelector("[data-report-locate-status]");
  button.addEventListener("click", function () {
    navigator.geolocation.getCurrentPosition(
      function (position) {
        document.getElementById("id_latitude").value = position.coords.latitude.toFixed(6);
        document.getElementById("id_longitude").value = position.coords.longitude.toFixed(6);
        status.textContent = button.dataset.msgLocated;
      },
      function () {
        status.textContent = button.dataset.msgFailed;
      },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });
})();

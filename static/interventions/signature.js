// A signature pad for deliveries, drawn with a finger, a stylus or a mouse (pointer events).
// On submit the drawing is sent as a PNG data URL in the hidden "signature_data" field;
// the server decodes it, re-encodes it (santaanita.images.clean_image) and refuses an
// empty pad. Without JavaScript, a photo of the signed paper form is accepted instead.
(() => {
  const form = document.querySelector("[data-signature-form]");
  if (!form) return;
  const canvas = form.querySelector("[data-signature-pad]");
  const field = form.querySelector("input[name='signature_data']");
  const context = canvas.getContext("2d");
  let drawing = false;
  let dirty = false;

  context.lineWidth = 3;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#111";

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) * canvas.width) / box.width,
      y: ((event.clientY - box.top) * canvas.height) / box.height,
    };
  }

  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    const { x, y } = point(event);
    context.beginPath();
    context.moveTo(x, y);
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const { x, y } = point(event);
    context.lineTo(x, y);
    context.stroke();
    dirty = true;
    event.preventDefault();
  });
  const stop = () => {
    drawing = false;
  };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);

  form.querySelector("[data-signature-clear]").addEventListener("click", () => {
    context.clearRect(0, 0, canvas.width, canvas.height);
    dirty = false;
    field.value = "";
  });

  form.addEventListener("submit", () => {
    field.value = dirty ? canvas.toDataURL("image/png") : "";
  });
})();

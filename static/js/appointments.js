// Booking page: changing the specialty reloads the choices for it (the form works without JS too).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("booking-search");
  if (!form) return;
  const specialty = form.querySelector("#id_specialty");
  if (specialty) {
    specialty.addEventListener("change", () => {
      const type = form.querySelector("#id_appointment_type");
      const provider = form.querySelector("#id_provider");
      if (type) type.value = "";
      if (provider) provider.value = "";
      form.submit();
    });
  }
});

// Progressive enhancement only: every page works without this file.
document.addEventListener("click", (event) => {
  const toggle = event.target.closest("[data-toggle=nav]");
  if (toggle) document.getElementById("nav")?.classList.toggle("open");
});

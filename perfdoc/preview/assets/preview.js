// Live preview: on every rebuild the server sends an event; the page fetches its new
// content and swaps it in place, so the scroll position stays where it was.
(function () {
  const events = new EventSource("/events");
  events.onmessage = async () => {
    const response = await fetch(location.pathname + "?fragment=1", { cache: "no-store" });
    if (!response.ok) return;
    const data = await response.json();
    const y = window.scrollY;
    if (data.page !== null) document.getElementById("page").innerHTML = data.page;
    const problems = document.getElementById("problems");
    problems.textContent = data.problems.join("\n");
    problems.classList.toggle("shown", data.problems.length > 0);
    document.body.dataset.version = data.version;
    window.scrollTo(0, y);
  };
})();

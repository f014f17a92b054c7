// A harmless page that quick exit opens at once, signal or not: it looks like a weather forecast
// and holds nothing of the app it replaced. When the phone is online it moves on to the phone's
// chosen site (a real weather page by default); when it is not, it simply stays, instead of the
// browser's "site can't be reached" page, which would tell an onlooker what just happened.
"use strict";

const FALLBACK = "https://www.google.com/search?q=weather+today";

// The address quick exit goes to on this phone, as the app keeps it (a JSON string); only an
// https address with a host is ever opened.
function chosenSite() {
  try {
    const kept = JSON.parse(localStorage.getItem("sakhi.exit_url") || "null");
    if (typeof kept === "string" && /^https:\/\/[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?$/.test(kept)) {
      return kept;
    }
  } catch (_) {
    // Unreadable: the default will do.
  }
  return FALLBACK;
}

function inHindi() {
  let lang = null;
  try {
    lang = JSON.parse(localStorage.getItem("sakhi.lang") || "null");
  } catch (_) {}
  return (lang || navigator.language || "").startsWith("hi");
}

function showHindi() {
  document.documentElement.lang = "hi";
  document.title = "मौसम";
  const words = {
    place: "आज",
    sky: "धुंध। पश्चिम से हल्की हवा।",
    note: "इस हफ़्ते बारिश की संभावना नहीं है।",
  };
  for (const [id, text] of Object.entries(words)) document.getElementById(id).textContent = text;
  const days = ["कल", "परसों", "तीन दिन बाद"];
  document.querySelectorAll("#days li span:first-child").forEach((span, i) => {
    span.textContent = days[i];
  });
}

// Goes on to `site` only once it answers, within a few seconds; an opaque answer is enough.
function moveOn(site) {
  if (!navigator.onLine) return;
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(), 4000);
  fetch(site, { mode: "no-cors", cache: "no-store", credentials: "omit", signal: stop.signal })
    .then(() => location.replace(site))
    .catch(() => {})
    .finally(() => clearTimeout(timer));
}

document.addEventListener("DOMContentLoaded", () => {
  if (inHindi()) showHindi();
  moveOn(chosenSite());
});

// Registers the app's service worker for the floor page, as the app does from its wasm at start.
navigator.serviceWorker?.register("/sw.js");

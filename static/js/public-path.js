// Settings read by Bootstrap Italia's bundle, kept out of inline scripts, which the
// Content-Security-Policy forbids (core/csp.py). Load this file before the bundle.
// Where the bundle finds its fonts: this script tag's data-public-path attribute.
window.__PUBLIC_PATH__ = document.currentScript.dataset.publicPath;
// Video.js (inside the bundle) would inject <style> elements; its rules are in the bundle's CSS.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;

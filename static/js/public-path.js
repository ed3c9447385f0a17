// Where Bootstrap Italia's script finds its fonts, read from this script tag's data attribute
// rather than from an inline script, which the Content-Security-Policy forbids (core/csp.py).
window.__PUBLIC_PATH__ = document.currentScript.dataset.publicPath;

// The new-ticket form proposes the FAQ answers matching the subject as it is typed.
// Without scripts the "Search the FAQ" button does the same with a plain POST.
(function () {
    "use strict";
    var form = document.getElementById("helpdesk-ticket-form");
    if (!form) { return; }
    var subject = form.querySelector("[name=subject]");
    var target = document.getElementById("helpdesk-faq-proposals");
    var address = form.getAttribute("data-proposals-url");
    if (!subject || !target || !address) { return; }
    var timer = null;
    var last = "";
    function ask() {
        var text = subject.value.trim();
        if (text === last || text.length < 4) { return; }
        last = text;
        fetch(address + "?subject=" + encodeURIComponent(text), {credentials: "same-origin"})
            .then(function (response) { return response.ok ? response.text() : ""; })
            .then(function (html) { if (subject.value.trim() === text) { target.innerHTML = html; } })
            .catch(function () { /* the button still works */ });
    }
    subject.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(ask, 400);
    });
})();

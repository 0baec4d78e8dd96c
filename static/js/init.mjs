// Start GOV.UK Frontend's components. Loaded as a module from base.html:
//   <script type="module" src="{% static 'js/init.mjs' %}"></script>
// Modules are deferred, so <body> exists here. The class must be on <body> before initAll(),
// because components check for it to know that GOV.UK Frontend's JavaScript is supported.
import { initAll } from "/static/vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("govuk-frontend-supported");
initAll();

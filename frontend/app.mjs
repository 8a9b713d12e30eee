// Start GOV.UK Frontend's components (menus, error summaries, radios) once the page has loaded.
import { initAll } from "./govuk/govuk-frontend.min.js";

initAll();

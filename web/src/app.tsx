import { useEffect, useState } from "preact/hooks";
import type { FunctionComponent } from "preact";
import { effect } from "@preact/signals";
import { lang, digits, setLang, setDigits, t, translator } from "./i18n.js";
import { route, href, PAGES, type Page } from "./router.js";
import { refreshModels, openModel, modelId, evaluation, scenario, setScenario, scenarioNames, dirty, modelName } from "./store.js";
import { ModelsPage } from "./pages/Models.js";
import { OverviewPage } from "./pages/Overview.js";
import { ChartsPage } from "./pages/Charts.js";
import { StatementsPage } from "./pages/Statements.js";
import { ScenariosPage } from "./pages/Scenarios.js";
import { SourcesPage } from "./pages/Sources.js";
import { SolvePage } from "./pages/Solve.js";
import { RecomputeStatus } from "./components.js";

effect(() => {
  const tr = translator.value;
  document.documentElement.lang = tr.lang;
  document.documentElement.dir = tr.dir;
  document.title = modelName.value ? `${modelName.value} — burnrate` : "burnrate";
});

/**
 * The Edit page carries CodeMirror (about a third of the dashboard's code): it is a chunk of
 * its own, fetched the first time the page is opened (or when the browser is idle after a
 * model opens, so that the click finds it ready).
 */
let editPage: Promise<FunctionComponent> | null = null;
const loadEditPage = () => (editPage ??= import("./pages/Edit.js").then((m) => m.EditPage));
let EditPageLoaded: FunctionComponent | null = null;

function whenIdle(task: () => void): void {
  if ("requestIdleCallback" in window) window.requestIdleCallback(task, { timeout: 3000 });
  else setTimeout(task, 1000);
}

function LazyEditPage() {
  const [Page, setPage] = useState<FunctionComponent | null>(() => EditPageLoaded);
  useEffect(() => {
    if (!Page) void loadEditPage().then((p) => setPage(() => (EditPageLoaded = p)));
  }, []);
  return Page ? <Page /> : <p class="loading" role="status">{t("loading")}</p>;
}

function Header() {
  const e = evaluation.value;
  const names = scenarioNames();
  return (
    <header class="top" role="banner">
      <a class="brand" href="#/models" aria-label={t("nav.home")}>
        <svg width="22" height="22" viewBox="0 0 16 16" aria-hidden="true"><rect width="16" height="16" rx="3" fill="#b4411e" /><path d="M3 12 L7 6 L10 9 L13 4" stroke="white" stroke-width="2" fill="none" /></svg>
        <span>burnrate</span>
      </a>
      {e && route.value.model && (
        <div class="model-switch">
          <span class="company">{e.result.model}</span>
          <label class="inline">
            <span>{t("common:words.scenario")}</span>
            <select value={scenario.value ?? ""} onChange={(ev) => setScenario((ev.target as HTMLSelectElement).value || null)}>
              <option value="">{t("common:words.base")}</option>
              {names.map((n) => <option value={n}>{n}</option>)}
            </select>
          </label>
          {dirty.value && <span class="badge warn">{t("edit.unsaved")}</span>}
        </div>
      )}
      <div class="prefs" role="group" aria-label={t("prefs.label")}>
        <label class="inline">
          <span>{t("prefs.language")}</span>
          <select value={lang.value} onChange={(ev) => setLang((ev.target as HTMLSelectElement).value as "en" | "ar")} data-testid="language">
            <option value="en" lang="en">English</option>
            <option value="ar" lang="ar">العربية</option>
          </select>
        </label>
        {lang.value === "ar" && (
          <label class="inline">
            <span>{t("prefs.digits")}</span>
            <select value={digits.value} onChange={(ev) => setDigits((ev.target as HTMLSelectElement).value as "arab" | "latn")} data-testid="digits">
              <option value="arab">{t("prefs.arabicDigits")}</option>
              <option value="latn">{t("prefs.westernDigits")}</option>
            </select>
          </label>
        )}
      </div>
    </header>
  );
}

function Nav({ page }: { page: Page }) {
  const model = route.value.model;
  return (
    <nav class="side" aria-label={t("nav.label")}>
      <ul>
        <li><a href={href("models")} aria-current={page === "models" ? "page" : undefined}>{t("nav.models")}</a></li>
        {model && PAGES.map((p) => <li><a href={href(p, model)} aria-current={page === p ? "page" : undefined}>{t(`nav.${p}`)}</a></li>)}
      </ul>
      {model && <RecomputeStatus />}
    </nav>
  );
}

export function App() {
  const { page, model } = route.value;
  useEffect(() => {
    void refreshModels();
  }, []);
  useEffect(() => {
    if (model && model !== modelId.value) void openModel(model);
    if (model) whenIdle(() => void loadEditPage());
  }, [model]);
  void lang.value; // re-render on language change
  void digits.value;
  let body;
  if (page === "models" || !model) body = <ModelsPage />;
  else if (!evaluation.value || modelId.value !== model) body = <p class="loading" role="status">{t("loading")}</p>;
  else if (page === "overview") body = <OverviewPage />;
  else if (page === "charts") body = <ChartsPage />;
  else if (page === "statements") body = <StatementsPage />;
  else if (page === "scenarios") body = <ScenariosPage />;
  else if (page === "solve") body = <SolvePage />;
  else if (page === "edit") body = <LazyEditPage />;
  else body = <SourcesPage />;
  return (
    <div class="shell">
      <a class="skip" href="#main">{t("nav.skip")}</a>
      <Header />
      <div class="layout">
        <Nav page={page} />
        <main id="main" tabIndex={-1}>{body}</main>
      </div>
    </div>
  );
}

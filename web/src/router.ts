import { signal } from "@preact/signals";

export const PAGES = ["overview", "charts", "statements", "scenarios", "solve", "edit", "sources"] as const;
export type Page = (typeof PAGES)[number] | "models";

export interface Route {
  page: Page;
  model: string | null;
}

function parse(hash: string): Route {
  const clean = hash.replace(/^#\/?/, "").replace(/[?&]?token=[^&]*/, "");
  const parts = clean.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "m" && parts[1]) {
    const page = (PAGES as readonly string[]).includes(parts[2]) ? (parts[2] as Page) : "overview";
    return { page, model: parts[1] };
  }
  return { page: "models", model: null };
}

export const route = signal<Route>(parse(location.hash));
window.addEventListener("hashchange", () => (route.value = parse(location.hash)));

export function href(page: Page, model: string | null = route.value.model): string {
  if (page === "models" || !model) return "#/models";
  return `#/m/${encodeURIComponent(model)}/${page}`;
}

/**
 * A 120-month model with about 50 lines, drivers of every kind, a fleet, debt and
 * equity — the size the benchmark asks for — and a cash runway at stake: a
 * build-out spends until a launch month (a driver), after which launch sales ramp up over
 * a year; cash earns interest and pays an overdraft rate below zero. Generated as text so
 * that the benchmark includes YAML parsing. With `factors` > 0, line i is multiplied by
 * driver factor(i mod factors) (the simulation benchmark samples them).
 */
export function benchModelText(lines = 50, factors = 0): string {
  const uncertain = factors;
  const out: string[] = [];
  out.push("meta: { company: Bench Co, currency: USD, unit: millions, start: 2025-01, months: 120, cashFloor: 100, assumption: benchmark }");
  out.push("openingBalance: { cash: 5000, ppeNet: 1000, debt: 2000, paidInCapital: 4000, retainedEarnings: 0, assumption: benchmark }");
  out.push("drivers:");
  out.push("  sofr: { yearly: { 2025: 0.043, 2026: 0.038, 2027: 0.035, 2028: 0.035, 2029: 0.035, 2030: 0.035, 2031: 0.035, 2032: 0.035, 2033: 0.035, 2034: 0.035 }, fill: linear }");
  out.push("  demand: { growth: { start: 100, annualRate: 0.6 } }");
  out.push("  price: \"2.5 * 0.85 ^ (t / 12)\"");
  out.push("  users: \"prev(users, 1000) * 1.02\"");
  out.push("  launch: { month: 2026-12 }");
  out.push("  headcount: { yearly: { 2025: 500, 2026: 800, 2027: 1000, 2028: 1200, 2029: 1300, 2030: 1400, 2031: 1500, 2032: 1600, 2033: 1700, 2034: 1800 }, fill: linear }");
  for (let i = 0; i < uncertain; i++) out.push(`  factor${i}: 1`);
  out.push("lines:");
  const kinds = ["revenue", "costOfRevenue", "operatingExpense", "operatingExpense", "capex"];
  for (let i = 0; i < lines; i++) {
    const kind = kinds[i % kinds.length];
    const factor = uncertain > 0 ? ` * factor${i % uncertain}` : "";
    const value =
      kind === "revenue"
        ? `"demand * price * ${(1 + (i % 7) * 0.1).toFixed(1)}${factor}"`
        : kind === "capex"
          ? `"max(0, 20 + 0.5 * t - ${i % 5})${factor}"`
          : `"headcount * 0.01 + users * 0.00001 + if(month == 12, 5, 0) + ${i % 3}${factor}"`;
    const extra = kind === "operatingExpense" ? `, category: ${i % 2 ? "R&D" : "SG&A"}` : kind === "capex" ? ", lifeMonths: 60" : "";
    out.push(`  line${i}: { type: ${kind}, value: ${value}${extra} }`);
  }
  out.push('  buildOut: { type: capex, value: "1000 * before(launch)", lifeMonths: 60 }');
  out.push('  launchSales: { type: revenue, value: "1800 * ramp(launch, launch + 12)" }');
  out.push("fleet:");
  for (let i = 0; i < 4; i++) out.push(`  cohort${i}: { count: ${10000 + i * 5000}, unitCost: 50000, purchase: 202${5 + i}-03, inService: 202${5 + i}-06, lifeMonths: 72, powerKw: 1.3, pue: 1.3, powerPrice: 0.08 }`);
  out.push("financing:");
  out.push("  cash: { interestRate: 0.03, overdraftRate: 0.14 }");
  out.push("  equity: { a: { month: 2026-01, amount: 3000, preMoney: 40000 } }");
  out.push("  debt:");
  out.push("    notes: { openingBalance: 2000, rate: 0.09, maturity: 2030-06 }");
  out.push("    tlb: { draws: [{ month: 2025-07, amount: 1000 }, { month: 2026-07, amount: 1500 }], base: sofr, spread: 0.0725, amortization: annuity, interestOnlyMonths: 12, maturity: 2031-06, upfrontFee: 0.04 }");
  out.push("  covenants: { dscr: { metric: dscr, min: 1.25 }, leverage: { metric: netDebtToEbitda, max: 4 } }");
  out.push("tax: { rate: 0.21 }");
  out.push("workingCapital: { receivableDays: 45, payableDays: 30 }");
  return out.join("\n") + "\n";
}

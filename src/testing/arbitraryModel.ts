import fc from "fast-check";

/**
 * Random valid models as plain data, for property tests of the engine. The opening
 * balance sheet is balanced by construction (retained earnings close it).
 */
const monthLabel = (serial: number) => `${Math.floor(serial / 12)}-${String((serial % 12) + 1).padStart(2, "0")}`;

export interface GeneratedModel {
  data: Record<string, unknown>;
  hasDebt: boolean;
}

export const arbitraryModel = (): fc.Arbitrary<GeneratedModel> =>
  fc
    .record({
      startSerial: fc.integer({ min: 2024 * 12, max: 2027 * 12 }),
      months: fc.integer({ min: 1, max: 48 }),
      fiscalYearStart: fc.integer({ min: 1, max: 12 }),
      hours730: fc.boolean(),
      capitalizeFleet: fc.boolean(),
      cash: fc.double({ min: 0, max: 5000, noNaN: true }),
      receivables: fc.double({ min: 0, max: 100, noNaN: true }),
      payables: fc.double({ min: 0, max: 100, noNaN: true }),
      ppeNet: fc.double({ min: 0, max: 1000, noNaN: true }),
      ppeLife: fc.integer({ min: 1, max: 120 }),
      paidIn: fc.double({ min: 0, max: 5000, noNaN: true }),
      lines: fc.array(
        fc.record({
          type: fc.constantFrom("revenue", "costOfRevenue", "operatingExpense", "capex"),
          value: fc.oneof(fc.double({ min: -50, max: 500, noNaN: true }), fc.constantFrom("growth * 10", "max(0, 100 - t)", "prev(stock, 5) * 0.5 + 2", "if(month == 12, 30, 5)")),
          category: fc.constantFrom("R&D", "SG&A"),
          life: fc.integer({ min: 1, max: 120 }),
          nonCash: fc.boolean(),
        }),
        { maxLength: 6 },
      ),
      cohorts: fc.array(
        fc.record({
          count: fc.integer({ min: 0, max: 20000 }),
          unitCost: fc.double({ min: 0, max: 60000, noNaN: true }),
          purchaseOffset: fc.integer({ min: -30, max: 47 }),
          serviceLag: fc.integer({ min: 0, max: 6 }),
          life: fc.integer({ min: 1, max: 96 }),
          salvageShare: fc.double({ min: 0, max: 1, noNaN: true }),
          powerKw: fc.double({ min: 0, max: 2, noNaN: true }),
          serviceLife: fc.option(fc.integer({ min: 1, max: 120 })),
          proceedsShare: fc.option(fc.double({ min: 0, max: 1.2, noNaN: true })),
        }),
        { maxLength: 3 },
      ),
      tranches: fc.array(
        fc.record({
          opening: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 2000, noNaN: true })),
          draws: fc.array(fc.record({ offset: fc.integer({ min: 0, max: 47 }), amount: fc.double({ min: 0, max: 1000, noNaN: true }) }), { maxLength: 3 }),
          floating: fc.boolean(),
          rate: fc.double({ min: 0, max: 0.25, noNaN: true }),
          amortization: fc.constantFrom("bullet", "straightLine", "annuity", "schedule"),
          interestOnly: fc.integer({ min: 0, max: 12 }),
          maturityOffset: fc.integer({ min: 1, max: 80 }),
          fee: fc.double({ min: 0, max: 0.05, noNaN: true }),
          repayment: fc.double({ min: 0, max: 300, noNaN: true }),
          refinancing: fc.boolean(),
          expenseFee: fc.boolean(),
          partial: fc.option(fc.record({ before: fc.integer({ min: 1, max: 30 }), share: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(null)), amount: fc.double({ min: 0, max: 500, noNaN: true }), refinancing: fc.boolean() })),
        }),
        { maxLength: 3 },
      ),
      rounds: fc.array(fc.record({ offset: fc.integer({ min: 0, max: 47 }), amount: fc.double({ min: 0, max: 3000, noNaN: true }), preMoney: fc.double({ min: 1, max: 1e5, noNaN: true }) }), { maxLength: 2 }),
      oneOffs: fc.array(fc.record({ offset: fc.integer({ min: 0, max: 47 }), amount: fc.double({ min: -200, max: 200, noNaN: true }), lands: fc.constantFrom("otherIncome", "revenue", "costOfRevenue", "operatingExpense", "capex", "equity") }), { maxLength: 3 }),
      revolver: fc.option(
        fc.record({
          limit: fc.oneof(fc.double({ min: 0, max: 2000, noNaN: true }), fc.constant("max(0, 300 + 20 * t)")),
          floating: fc.boolean(),
          rate: fc.double({ min: 0, max: 0.2, noNaN: true }),
          commitmentFee: fc.double({ min: 0, max: 0.01, noNaN: true }),
          openingShare: fc.double({ min: 0, max: 1, noNaN: true }),
          fromOffset: fc.integer({ min: 0, max: 12 }),
          maturityOffset: fc.option(fc.integer({ min: 1, max: 60 })),
        }),
      ),
      cashInterest: fc.option(fc.oneof(fc.double({ min: 0, max: 0.08, noNaN: true }), fc.constant("sofr - 0.005"))),
      overdraftRate: fc.option(fc.double({ min: 0, max: 0.3, noNaN: true })),
      cashFloor: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 500, noNaN: true })),
      taxRate: fc.double({ min: 0, max: 0.4, noNaN: true }),
      lossOffsetLimit: fc.oneof(fc.constant(1), fc.constant(0.8), fc.double({ min: 0, max: 1, noNaN: true })),
      nol: fc.double({ min: 0, max: 500, noNaN: true }),
      dso: fc.double({ min: 0, max: 90, noNaN: true }),
      dpo: fc.double({ min: 0, max: 90, noNaN: true }),
    })
    .map((g) => {
      const end = g.startSerial + g.months - 1;
      const clampMonth = (offset: number) => monthLabel(g.startSerial + Math.min(offset, g.months - 1));
      const drivers: Record<string, unknown> = {
        growth: { growth: { start: 10, annualRate: 0.5 } },
        stock: "prev(stock, 5) * 0.5 + 2",
        sofr: { yearly: Object.fromEntries(range(Math.floor(g.startSerial / 12), Math.floor(end / 12)).map((y, i) => [String(y), 0.03 + 0.005 * i])), fill: "linear" },
      };
      const lines: Record<string, unknown> = {};
      g.lines.forEach((l, i) => {
        const line: Record<string, unknown> = { type: l.type, value: l.value };
        if (l.type === "operatingExpense") {
          line.category = l.category;
          if (l.nonCash) line.nonCash = true;
        }
        if (l.type === "capex") line.lifeMonths = l.life;
        lines[`line${i}`] = line;
      });
      const fleet: Record<string, unknown> = {};
      let fleetNbv = 0;
      g.cohorts.forEach((c, i) => {
        const purchase = g.startSerial + Math.min(c.purchaseOffset, g.months - 1);
        const inService = purchase + c.serviceLag;
        const salvagePerUnit = c.unitCost * c.salvageShare;
        const spec: Record<string, unknown> = { count: c.count, unitCost: c.unitCost, purchase: monthLabel(purchase), inService: monthLabel(inService), lifeMonths: c.life, salvagePerUnit, powerKw: c.powerKw, pue: 1.2, powerPrice: 0.08 };
        if (c.serviceLife !== null) spec.serviceLifeMonths = c.serviceLife;
        if (c.proceedsShare !== null) spec.retirementProceedsPerUnit = c.unitCost * c.proceedsShare;
        fleet[`cohort${i}`] = spec;
        const retiredBeforeStart = g.startSerial - inService >= (c.serviceLife ?? c.life);
        if (purchase < g.startSerial && !retiredBeforeStart) {
          const cost = (c.count * c.unitCost) / 1e6;
          const salvage = (c.count * salvagePerUnit) / 1e6;
          const used = Math.min(c.life, c.serviceLife ?? c.life, Math.max(0, g.startSerial - inService));
          fleetNbv += cost - ((cost - salvage) * used) / c.life;
        }
      });
      const debt: Record<string, unknown> = {};
      let openingDebt = 0;
      g.tranches.forEach((t, i) => {
        const draws = [...t.draws].sort((a, b) => a.offset - b.offset).map((d) => ({ month: clampMonth(d.offset), amount: d.amount }));
        const lastDraw = draws.length ? Math.min(Math.max(...t.draws.map((d) => d.offset)), g.months - 1) : 0;
        const finalSerial = g.startSerial + Math.max(lastDraw, t.maturityOffset);
        let maturity: unknown = monthLabel(finalSerial);
        if (t.partial !== null && t.partial.before < finalSerial - g.startSerial) {
          const part: Record<string, unknown> = { month: monthLabel(finalSerial - t.partial.before), refinancing: t.partial.refinancing };
          if (t.partial.share !== null) part.share = t.partial.share;
          else part.amount = t.partial.amount;
          maturity = [part, { month: monthLabel(finalSerial), refinancing: t.refinancing }];
        }
        const tranche: Record<string, unknown> = { openingBalance: t.opening, draws, amortization: t.amortization, interestOnlyMonths: t.interestOnly, maturity, upfrontFee: t.fee, feeTreatment: t.expenseFee ? "expense" : "amortize" };
        if (t.floating) Object.assign(tranche, { base: "sofr", spread: t.rate });
        else tranche.rate = t.rate;
        if (t.amortization === "schedule") tranche.repayments = [{ month: clampMonth(Math.min(t.interestOnly, Math.max(lastDraw, t.maturityOffset))), amount: t.repayment, refinancing: t.refinancing }];
        openingDebt += t.opening;
        debt[`tranche${i}`] = tranche;
      });
      const financingExtra: Record<string, unknown> = {};
      if (g.revolver) {
        const r = g.revolver;
        const opening = typeof r.limit === "number" && r.fromOffset === 0 ? r.limit * r.openingShare : 0;
        const revolver: Record<string, unknown> = { limit: r.limit, commitmentFee: r.commitmentFee, openingBalance: opening };
        if (r.floating) Object.assign(revolver, { base: "sofr", spread: r.rate });
        else revolver.rate = r.rate;
        if (r.fromOffset > 0) revolver.from = clampMonth(r.fromOffset);
        if (r.maturityOffset !== null) revolver.maturity = monthLabel(g.startSerial + Math.max(r.fromOffset + 1, r.maturityOffset));
        openingDebt += opening;
        financingExtra.revolver = revolver;
      }
      if (g.capitalizeFleet) financingExtra.capitalizeInterest = { fleet: true };
      if (g.cashInterest !== null || g.overdraftRate !== null) {
        const cash: Record<string, unknown> = {};
        if (g.cashInterest !== null) cash.interestRate = g.cashInterest;
        if (g.overdraftRate !== null) cash.overdraftRate = g.overdraftRate;
        financingExtra.cash = cash;
      }
      const equity: Record<string, unknown> = {};
      g.rounds.forEach((r, i) => (equity[`round${i}`] = { month: clampMonth(r.offset), amount: r.amount, preMoney: r.preMoney }));
      const oneOffs: Record<string, unknown> = {};
      g.oneOffs.forEach((o, i) => (oneOffs[`item${i}`] = { month: clampMonth(o.offset), amount: o.amount, lands: o.lands }));
      const assets = g.cash + g.receivables + g.ppeNet + fleetNbv;
      const data = {
        meta: { company: "Generated", start: monthLabel(g.startSerial), months: g.months, fiscalYearStart: g.fiscalYearStart, cashFloor: g.cashFloor, ...(g.hours730 ? { hoursPerMonth: 730 } : {}) },
        openingBalance: { cash: g.cash, receivables: g.receivables, ppeNet: g.ppeNet, ppeRemainingLifeMonths: g.ppeLife, payables: g.payables, paidInCapital: g.paidIn, retainedEarnings: assets - openingDebt - g.payables - g.paidIn },
        drivers,
        lines,
        fleet,
        financing: { equity, debt, ...financingExtra, covenants: { dscr: { metric: "dscr", min: 1.2 }, leverage: { metric: "netDebtToEbitda", max: 4, basis: "ltm", test: "monthly" } } },
        oneOffs,
        tax: { rate: g.taxRate, openingLossCarryforward: g.nol, lossOffsetLimit: g.lossOffsetLimit },
        workingCapital: { receivableDays: g.dso, payableDays: g.dpo },
      };
      return { data, hasDebt: g.tranches.some((t) => t.opening > 0 || t.draws.some((d) => d.amount > 0)) || g.revolver !== null };
    });

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}

/**
 * A whole model file for the fuzzer: a generated valid model plus the sections later stages
 * read (scenarios, uncertain inputs, targets), some of them deliberately odd (overrides of
 * paths that may not exist, distributions that may sample out-of-range values). Fed to
 * check, run, simulate and sensitivity, every one must give a result or a positioned error.
 */
export const arbitraryModelFile = (): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .record({
      model: arbitraryModel(),
      scenarios: fc.array(
        fc.record({
          path: fc.constantFrom("drivers.growth.growth.start", "drivers.growth.growth.annualRate", "drivers.sofr.yearly", "openingBalance.cash", "tax.rate", "lines.line0.value", "fleet.cohort0.count", "fleet.cohort0.inService", "financing.debt.tranche0.rate", "meta.months", "workingCapital.receivableDays", "drivers.nope.constant"),
          op: fc.constantFrom("set", "add", "multiply"),
          value: fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constantFrom("growth * 2", "2026-01", true)),
        }),
        { maxLength: 3 },
      ),
      uncertain: fc.array(
        fc.record({
          path: fc.constantFrom("drivers.growth.growth.start", "drivers.growth.growth.annualRate", "openingBalance.cash", "tax.rate", "fleet.cohort0.count", "fleet.cohort0.unitCost", "fleet.cohort0.inService", "fleet.cohort0.lifeMonths", "financing.debt.tranche0.rate", "financing.equity.round0.month", "financing.equity.round0.amount", "workingCapital.payableDays"),
          distribution: fc.constantFrom("normal", "uniform", "triangular", "discrete", "lognormal", "bernoulli"),
          a: fc.double({ min: -5, max: 5, noNaN: true }),
          b: fc.double({ min: 0, max: 10, noNaN: true }),
        }),
        { maxLength: 3 },
      ),
      targets: fc.array(fc.record({ metric: fc.constantFrom("revenue", "endingCash", "cashOut", "netIncome", "nope"), value: fc.double({ min: -100, max: 1000, noNaN: true }) }), { maxLength: 2 }),
    })
    .map(({ model, scenarios, uncertain, targets }) => {
      const data: Record<string, unknown> = { ...model.data };
      if (scenarios.length) data.scenarios = { s0: { overrides: scenarios.map((o) => ({ path: o.path, [o.op]: o.op === "set" ? o.value : typeof o.value === "number" ? o.value : 1 })) } };
      if (uncertain.length) {
        const entries: Record<string, unknown> = {};
        uncertain.forEach((u, i) => {
          const lo = Math.min(u.a, u.a + u.b);
          const hi = Math.max(u.a, u.a + u.b);
          const params: Record<string, unknown> =
            u.distribution === "normal" ? { mean: u.a, sd: u.b } : u.distribution === "lognormal" ? { mean: Math.abs(u.a) + 0.1, sd: u.b } : u.distribution === "uniform" ? { min: lo, max: hi } : u.distribution === "triangular" ? { min: lo, mode: (lo + hi) / 2, max: hi } : u.distribution === "discrete" ? { values: [Math.round(lo), Math.round(hi)], probabilities: [0.5, 0.5] } : { p: Math.min(1, u.b / 10) };
          entries[`u${i}`] = { path: u.path, distribution: u.distribution, ...params };
        });
        data.uncertain = entries;
      }
      const year = String((model.data.meta as { start: string }).start).slice(0, 4);
      if (targets.length) data.targets = Object.fromEntries(targets.map((t, i) => [`t${i}`, { metric: t.metric, period: year, value: t.value, source: "generated" }]));
      return data;
    });

/** The word for a model's scale of amounts (README, "Units and conventions"). */
export const UNIT_WORD: Record<string, string> = { units: "", thousands: "thousands", millions: "millions", billions: "billions" };

/** Deterministic rows: realistic sizes for an email and a phone number. */
import type { PlainInput, UserInput } from "./variants.js";

export function userInput(i: number): UserInput {
  return {
    email: `user${i}.bench@example.com`,
    phone: `+82-10-${String(i).padStart(8, "0")}`,
    name: `User ${i}`,
  };
}

export function userInputs(count: number): UserInput[] {
  return Array.from({ length: count }, (_, i) => userInput(i));
}

export function plainInput(i: number): PlainInput {
  return { label: `item ${i}`, value: i };
}

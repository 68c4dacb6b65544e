import { describe, expect, it } from "vitest";
import { buildAnswer, describeAnswer, fieldErrors, parseSchema, tapToSubmit } from "../src/form";

// Shaped like the server's answer schemas for each task kind.
const screening = parseSchema({
  kind: "screening",
  fields: [
    {
      name: "decision",
      type: "choice",
      label: "Decision",
      required: true,
      options: [
        { value: "include", label: "Include" },
        { value: "exclude", label: "Exclude" },
        { value: "unsure", label: "Unsure" },
      ],
    },
    { name: "reason", type: "short_text", label: "Reason (optional)", required: false, max_length: 10 },
  ],
});

const coding = parseSchema({
  kind: "coding",
  fields: [
    {
      name: "codes",
      type: "multi_choice",
      label: "Codes",
      required: true,
      min_selected: 1,
      max_selected: 2,
      options: [
        { value: "A", label: "A", description: "Anxiety" },
        { value: "B", label: "B" },
        { value: "C", label: "C" },
      ],
    },
  ],
});

describe("parseSchema", () => {
  it("drops fields of unknown types and junk instead of failing", () => {
    const schema = parseSchema({ fields: [{ name: "x", type: "slider" }, 42, { type: "choice" }] });
    expect(schema.fields).toEqual([]);
    expect(parseSchema(null).fields).toEqual([]);
  });

  it("keeps option descriptions", () => {
    expect(coding.fields[0]).toMatchObject({ options: [{ value: "A", description: "Anxiety" }, {}, {}] });
  });
});

describe("tapToSubmit", () => {
  it("lets a single choice with optional text answer in one tap", () => {
    expect(tapToSubmit(screening)?.name).toBe("decision");
  });

  it("needs a send button for multi-choice", () => {
    expect(tapToSubmit(coding)).toBeNull();
  });

  it("needs a send button when text is required", () => {
    const schema = parseSchema({
      fields: [
        { name: "v", type: "choice", label: "V", required: true, options: [{ value: "a", label: "A" }] },
        { name: "why", type: "short_text", label: "Why", required: true },
      ],
    });
    expect(tapToSubmit(schema)).toBeNull();
  });
});

describe("fieldErrors", () => {
  it("requires a choice and checks it is an option", () => {
    expect(fieldErrors(screening, {})).toHaveProperty("decision");
    expect(fieldErrors(screening, { decision: "maybe" })).toHaveProperty("decision");
    expect(fieldErrors(screening, { decision: "include" })).toEqual({});
  });

  it("enforces text length", () => {
    expect(fieldErrors(screening, { decision: "include", reason: "far too long here" })).toHaveProperty("reason");
  });

  it("enforces how many options may be picked", () => {
    expect(fieldErrors(coding, { codes: [] }).codes).toBe("Choose at least one.");
    expect(fieldErrors(coding, { codes: ["A", "B", "C"] }).codes).toBe("Choose at most 2.");
    expect(fieldErrors(coding, { codes: ["A"] })).toEqual({});
  });
});

describe("buildAnswer", () => {
  it("keys the answer by field name and leaves out empty optional text", () => {
    expect(buildAnswer(screening, { decision: "exclude", reason: "   " })).toEqual({ decision: "exclude" });
    expect(buildAnswer(screening, { decision: "exclude", reason: " wrong age " })).toEqual({
      decision: "exclude",
      reason: "wrong age",
    });
  });

  it("sends multi-choice as an array in option order", () => {
    expect(buildAnswer(coding, { codes: ["C", "A"] })).toEqual({ codes: ["A", "C"] });
  });
});

describe("describeAnswer", () => {
  it("uses option labels", () => {
    expect(describeAnswer(screening, { decision: "exclude" })).toBe("Exclude");
    expect(describeAnswer(coding, { codes: ["A", "C"] })).toBe("A, C");
  });
});

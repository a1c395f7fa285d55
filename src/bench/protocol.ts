// The marker of a child's result line on stdout (kept apart so the parent need not load tfjs).
export const RESULT_MARK = "@@nfde-bench-result ";

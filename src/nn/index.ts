export * from "./graph";
export * from "./init";
export * from "./fgrand";
export * from "./train";
export * from "./lv-fit";

export * from "./graph";
export * from "./init";
export * from "./fgrand";
export * from "./train";
export * from "./lv-fit";
export * from "./pca";
export * from "./mlp-field";

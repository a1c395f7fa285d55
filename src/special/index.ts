export { gamma, logGamma, reciprocalGamma } from "./gamma";
export { erf, erfc, erfcx } from "./erfc";
export { mittagLeffler } from "./mittag-leffler";

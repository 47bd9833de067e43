export { createDisco, type Disco, type DiscoDeps } from "./disco";
export { CapsCache, CAPS_CACHE_LIMIT } from "./bounded-map";
export { capsHash, capsInput, isSupportedHash, type CapsHashName } from "./caps-hash";
export { WREN_CAPS_NODE } from "./own-info";
export {
  NS_CAPS,
  NS_DISCO_INFO,
  NS_DISCO_ITEMS,
  type Caps,
  type DiscoIdentity,
  type DiscoInfo,
  type DiscoItem,
  type ExtensionForm,
} from "./parse";

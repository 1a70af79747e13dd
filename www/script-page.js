// The script-tag variant: relink comes from `<script src="/pkg/relink.script.js">`, which
// defines the global `Relink` with the same API as the npm package.
import { startMerchantPage } from '/merchant.js';

startMerchantPage({ loadRelink: (...args) => window.Relink.loadRelink(...args) });

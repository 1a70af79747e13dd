// The ESM variant: the merchant imports relink like any npm package.
import { loadRelink } from '/pkg/dist/relink.esm.js';
import { startMerchantPage } from '/merchant.js';

startMerchantPage({ loadRelink });

// Preloaded with `node -r`: the SDK addresses api.intacct.com (it refuses any other host), and this
// resolves that name to the sandbox's address. The SDK itself is never touched; other hosts are refused
// so a test can never reach the network.
"use strict";
const dns = require("dns");

const INTACCT_HOST = "api.intacct.com";
const sandboxAddress = process.env.SANDBOX_ADDRESS || "127.0.0.1";
const resolve = dns.lookup;

dns.lookup = function lookupSandbox(hostname, options, callback) {
  if (hostname !== INTACCT_HOST && hostname !== sandboxAddress) {
    const done = typeof options === "function" ? options : callback;
    const error = new Error(`conformance tests reach only ${INTACCT_HOST}, not ${hostname}`);
    error.code = "ENOTFOUND";
    process.nextTick(done, error);
    return {};
  }
  return resolve.call(this, sandboxAddress, options, callback);
};

// Standard flows of Sage's JavaScript SDK, written as its README and tests use it. Credentials and the
// endpoint come from the SDK's own environment variables (INTACCT_SENDER_ID, INTACCT_ENDPOINT_URL, ...).
// Usage: node -r ./route_to_sandbox.js flows.js <flow> [argument...]; prints one JSON object.
"use strict";
const IA = require("@intacct/intacct-sdk");

const Query = IA.Functions.Common.NewQuery;

function day(iso) {
  const [year, month, date] = iso.split("-").map(Number);
  return new Date(year, month - 1, date);
}

async function run(client, fn) {
  return (await client.execute(fn)).getResult();
}

async function listEveryPage(client, objectName, pageSize) {
  const first = new IA.Functions.Common.ReadByQuery();
  first.objectName = objectName;
  first.pageSize = pageSize;
  let page = await run(client, first);
  const totalCount = page.totalCount;
  const records = [...page.data];
  let pages = 1;
  while (page.numRemaining > 0) {
    const more = new IA.Functions.Common.ReadMore();
    more.resultId = page.resultId;
    page = await run(client, more);
    records.push(...page.data);
    pages += 1;
  }
  return { totalCount, read: records.length, pages, first: records[0] ?? null };
}

async function readOne(client, objectName, key) {
  const read = new IA.Functions.Common.Read();
  read.objectName = objectName;
  read.keys = [key];
  return (await run(client, read)).data[0];
}

function invoice(number, when) {
  const create = new IA.Functions.AccountsReceivable.InvoiceCreate();
  create.customerId = "C-1001";
  create.transactionDate = day(when);
  create.dueDate = day(when);
  create.invoiceNumber = number;
  create.description = "Sage JS SDK conformance";
  const line = new IA.Functions.AccountsReceivable.InvoiceLineCreate();
  line.glAccountNumber = "4000";
  line.transactionAmount = 125.5;
  line.memo = "Widgets";
  create.lines = [line];
  return create;
}

const flows = {
  async list(client, objectName, pageSize) {
    const listed = await listEveryPage(client, objectName, Number(pageSize));
    return { totalCount: listed.totalCount, read: listed.read, pages: listed.pages, fields: Object.keys(listed.first ?? {}) };
  },

  async session(client) {
    const config = await IA.SessionProvider.factory(client.config);
    const withSession = new IA.OnlineClient(config);
    const listed = await listEveryPage(withSession, "VENDOR", 100);
    return { endpointUrl: config.endpointUrl, companyId: config.companyId, vendors: listed.read };
  },

  async query(client, customerIdLike) {
    const query = new Query.Query();
    query.fromObject = "CUSTOMER";
    query.selectFields = new Query.QuerySelect.SelectBuilder()
      .addFields(["CUSTOMERID", "NAME", "ENTITY", "TOTALDUE", "PARENTID", "TERMNAME"]).selects;
    query.filter = new Query.QueryFilter.Filter("CUSTOMERID").like(customerIdLike);
    query.orderBy = new Query.QueryOrderBy.OrderBuilder().addDescending("CUSTOMERID").orders;
    query.pageSize = 3;
    const result = await run(client, query);
    return { totalCount: result.totalCount, numRemaining: result.numRemaining, rows: result.data };
  },

  async invoice(client, number, when) {
    const key = (await run(client, invoice(number, when))).key;
    const read = await readOne(client, "ARINVOICE", key);
    return { key, RECORDID: read.RECORDID, CUSTOMERID: read.CUSTOMERID, TOTALENTERED: read.TOTALENTERED };
  },

  async bill(client, number, when) {
    const create = new IA.Functions.AccountsPayable.BillCreate();
    create.vendorId = "V-2001";
    create.transactionDate = day(when);
    create.dueDate = day(when);
    create.billNumber = number;
    const line = new IA.Functions.AccountsPayable.BillLineCreate();
    line.glAccountNumber = "6100";
    line.transactionAmount = 80;
    create.lines = [line];
    const key = (await run(client, create)).key;
    const read = await readOne(client, "APBILL", key);
    return { key, RECORDID: read.RECORDID, VENDORID: read.VENDORID, TOTALENTERED: read.TOTALENTERED };
  },

  async journal(client, when) {
    const create = new IA.Functions.GeneralLedger.JournalEntryCreate();
    create.journalSymbol = "GJ";
    create.postingDate = day(when);
    create.description = "Sage JS SDK conformance";
    const debit = new IA.Functions.GeneralLedger.JournalEntryLineCreate();
    debit.glAccountNumber = "1200";
    debit.transactionAmount = 10;
    const credit = new IA.Functions.GeneralLedger.JournalEntryLineCreate();
    credit.glAccountNumber = "4000";
    credit.transactionAmount = -10;
    create.lines = [debit, credit];
    const recordNo = (await run(client, create)).data[0].RECORDNO;
    const read = await readOne(client, "GLBATCH", recordNo);
    return { RECORDNO: recordNo, JOURNAL: read.JOURNAL, BATCH_TITLE: read.BATCH_TITLE };
  },

  async unknownField(client) {
    const query = new Query.Query();
    query.fromObject = "CUSTOMER";
    query.selectFields = new Query.QuerySelect.SelectBuilder().addFields(["CUSTOMERID", "NOSUCHFIELD"]).selects;
    return { rows: (await run(client, query)).data };
  },

  async invoiceTwice(client, number, when) {
    await run(client, invoice(number, when));
    return { second: (await run(client, invoice(number, when))).key };
  },
};

async function main() {
  const [flow, ...args] = process.argv.slice(2);
  if (!flows[flow]) throw new Error(`unknown flow ${flow}; one of ${Object.keys(flows).join(", ")}`);
  const client = new IA.OnlineClient(new IA.ClientConfig());
  return flows[flow](client, ...args);
}

main().then(
  (result) => console.log(JSON.stringify({ result })),
  (error) => console.log(JSON.stringify({ error: { name: error.name, message: error.message, errors: error.errors ?? [] } })),
);

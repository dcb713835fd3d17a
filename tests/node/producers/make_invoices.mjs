// Third-party producers of supplier invoice mail for the invoice-intake
// tests: UBL 2.1, CII and Factur-X invoices made by @e-invoice-eu/core, a
// plain PDF invoice drawn with @cantoo/pdf-lib (the PDF library
// @e-invoice-eu/core itself uses), and the mails carrying each composed by
// nodemailer (streamTransport, buffer: true), with non-ASCII attachment names
// that nodemailer writes as RFC 2231 (filename*) and RFC 2047 (name=) values.
//
//   node make_invoices.mjs OUT_DIR < description.json
//
// The description (JSON on stdin):
//   {
//     "from": "Amazon Business <invoices@amazon.com>",
//     "to": "acme-xxxx@invoices.iob.test",
//     "date": "2024-05-02",                  // issue date of every document
//     "currency": "USD",
//     "seller": {"name": "...", "vat": "LU20260743", "country": "LU"},
//     "buyer": {"name": "...", "country": "US"},
//     "documents": [
//       {"format": "ubl" | "cii" | "facturx" | "pdf",
//        "number": "INV-1", "po": "PO-1", "tax_percent": "7",
//        "file_name": "Rechnung für ….xml",   // optional
//        "lines": [{"part": "B000000001", "order_line": 1,
//                   "description": "Paper", "quantity": "2", "price": "10.50"}]},
//       {"format": "cxml", "number": "INV-2", "xml": "<?xml …", "file_name": "…"}
//     ]
//   }
// Amounts are decimal strings; line totals, tax and the totals are computed
// here with exact decimals (tax rounded half up to cents).
//
// Writes, for document i, OUT_DIR/<i>-<format>.{xml,pdf} (the document) and
// OUT_DIR/<i>-<format>.eml (the mail, CRLF line ends, as an MTA stores it), and
// prints a manifest on stdout: [{format, number, po, file_name, document,
// mail, net, tax, gross}]. Exits 1 with the reason on stderr on any error.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { InvoiceService } from '@e-invoice-eu/core';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import nodemailer from 'nodemailer';

// ---- exact decimals (scaled BigInt) -----------------------------------------

const SCALE = 6;  // digits after the point kept in intermediate values

function toScaled(text) {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(text));
  if (!m) throw new Error(`not a decimal: ${text}`);
  const frac = (m[3] || '').padEnd(SCALE, '0');
  if (frac.length > SCALE) throw new Error(`too many decimals: ${text}`);
  const v = BigInt(m[2] + frac);
  return m[1] ? -v : v;
}

// `v` (scaled) rounded half up (away from zero) to `digits` decimals, as text.
function fromScaled(v, digits = 2) {
  const drop = 10n ** BigInt(SCALE - digits);
  const neg = v < 0n;
  let a = neg ? -v : v;
  a = (a + drop / 2n) / drop;
  const s = a.toString().padStart(digits + 1, '0');
  const text = digits ? `${s.slice(0, -digits)}.${s.slice(-digits)}` : s;
  return neg && a !== 0n ? `-${text}` : text;
}

const mul = (a, b) => (a * b) / 10n ** BigInt(SCALE);

// The amounts of one document: each line's total, net, tax and gross.
function amounts(doc) {
  const lines = doc.lines.map((l) => ({
    ...l,
    total: fromScaled(mul(toScaled(l.quantity), toScaled(l.price))),
  }));
  const net = lines.reduce((s, l) => s + toScaled(l.total), 0n);
  const tax = toScaled(fromScaled(mul(net, toScaled(doc.tax_percent || '0')) / 100n));
  return { lines, net: fromScaled(net), tax: fromScaled(tax), gross: fromScaled(net + tax) };
}

// ---- @e-invoice-eu/core ------------------------------------------------------

// The invoice in @e-invoice-eu/core's internal format (UBL's element names).
function internalInvoice(desc, doc, a) {
  const cur = desc.currency;
  const money = (key, value) => ({ [key]: value, [`${key}@currencyID`]: cur });
  const percent = doc.tax_percent || '0';
  const category = {
    'cbc:ID': percent === '0' ? 'Z' : 'S',
    'cbc:Percent': percent,
    'cac:TaxScheme': { 'cbc:ID': 'VAT' },
  };
  const party = (p) => ({
    'cbc:EndpointID': p.vat || p.name,
    'cbc:EndpointID@schemeID': '9930',
    'cac:PartyName': { 'cbc:Name': p.name },
    'cac:PostalAddress': {
      'cbc:StreetName': p.street || '1 Main Street',
      'cbc:CityName': p.city || 'Springfield',
      'cbc:PostalZone': p.zip || '12345',
      'cac:Country': { 'cbc:IdentificationCode': p.country || 'DE' },
    },
    ...(p.vat
      ? { 'cac:PartyTaxScheme': [{ 'cbc:CompanyID': p.vat, 'cac:TaxScheme': { 'cbc:ID': 'VAT' } }] }
      : {}),
    'cac:PartyLegalEntity': { 'cbc:RegistrationName': p.name },
  });
  return {
    'ubl:Invoice': {
      'cbc:CustomizationID': 'urn:cen.eu:en16931:2017',
      'cbc:ID': doc.number,
      'cbc:IssueDate': desc.date,
      'cbc:DueDate': desc.date,
      'cbc:InvoiceTypeCode': '380',
      'cbc:DocumentCurrencyCode': cur,
      'cbc:BuyerReference': doc.po,
      'cac:OrderReference': { 'cbc:ID': doc.po },
      'cac:AccountingSupplierParty': { 'cac:Party': party(desc.seller) },
      'cac:AccountingCustomerParty': { 'cac:Party': party(desc.buyer) },
      'cac:PaymentMeans': [{ 'cbc:PaymentMeansCode': '30' }],
      'cac:TaxTotal': [
        {
          ...money('cbc:TaxAmount', a.tax),
          'cac:TaxSubtotal': [
            {
              ...money('cbc:TaxableAmount', a.net),
              ...money('cbc:TaxAmount', a.tax),
              'cac:TaxCategory': category,
            },
          ],
        },
      ],
      'cac:LegalMonetaryTotal': {
        ...money('cbc:LineExtensionAmount', a.net),
        ...money('cbc:TaxExclusiveAmount', a.net),
        ...money('cbc:TaxInclusiveAmount', a.gross),
        ...money('cbc:PayableAmount', a.gross),
      },
      'cac:InvoiceLine': a.lines.map((l, i) => ({
        'cbc:ID': String(i + 1),
        'cbc:InvoicedQuantity': l.quantity,
        'cbc:InvoicedQuantity@unitCode': 'H87',
        ...money('cbc:LineExtensionAmount', l.total),
        'cac:OrderLineReference': { 'cbc:LineID': String(l.order_line) },
        'cac:Item': {
          'cbc:Name': l.description,
          'cac:SellersItemIdentification': { 'cbc:ID': l.part },
          'cac:ClassifiedTaxCategory': category,
        },
        'cac:Price': money('cbc:PriceAmount', l.price),
      })),
    },
  };
}

// ---- a PDF invoice laid out like Amazon Business's ---------------------------

// One page with the invoice's text, each row's cells at fixed x positions
// (so a text extractor keeps them on one line, columns apart).
async function renderPdf(desc, doc, a) {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Invoice ${doc.number}`);
  pdf.setProducer('iob tests (pdf-lib)');
  const page = pdf.addPage([595, 842]);  // A4 portrait, points
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  let y = 790;
  const row = (cells, f = font) => {
    for (const [x, text] of cells) page.drawText(text, { x, y, size: 10, font: f });
    y -= 18;
  };
  const cur = desc.currency === 'USD' ? '$' : `${desc.currency} `;
  row([[40, 'Invoice']], bold);
  row([[40, `Sold by: ${desc.seller.name}`]]);
  if (desc.seller.vat) row([[40, `VAT number: ${desc.seller.vat}`]]);
  row([[40, `Invoice number: ${doc.number}`]]);
  row([[40, `Invoice date: ${desc.date}`]]);
  row([[40, `Purchase order number: ${doc.po}`]]);
  y -= 10;
  row([[40, 'Description'], [300, 'Qty'], [350, 'Unit price'], [430, 'VAT rate'], [500, 'Total']], bold);
  for (const l of a.lines) {
    row([
      [40, l.description],
      [300, l.quantity],
      [350, `${cur}${l.price}`],
      [430, `${doc.tax_percent || '0'}%`],
      [500, `${cur}${l.total}`],
    ]);
    row([[40, `ASIN: ${l.part}`]]);
  }
  y -= 10;
  row([[350, 'Subtotal'], [500, `${cur}${a.net}`]]);
  row([[350, 'Total VAT'], [500, `${cur}${a.tax}`]]);
  row([[350, 'Total payable'], [500, `${cur}${a.gross}`]], bold);
  return Buffer.from(await pdf.save());
}

// ---- the documents and their mails -------------------------------------------

const EXTENSIONS = { ubl: 'xml', cii: 'xml', facturx: 'pdf', pdf: 'pdf', cxml: 'xml' };
const FORMATS = { ubl: 'UBL', cii: 'CII', facturx: 'Factur-X-EN16931' };

async function makeDocument(desc, doc) {
  if (doc.format === 'cxml') {
    if (!doc.xml) throw new Error('a cxml document needs "xml"');
    return { bytes: Buffer.from(doc.xml, 'utf8'), type: 'text/xml' };
  }
  const a = amounts(doc);
  const service = new InvoiceService(console);
  let bytes;
  if (doc.format === 'pdf') {
    bytes = await renderPdf(desc, doc, a);
  } else if (FORMATS[doc.format]) {
    const options = { format: FORMATS[doc.format], lang: 'en-us', noWarnings: true };
    if (doc.format === 'facturx') {
      options.pdf = {
        buffer: await renderPdf(desc, doc, a),
        filename: `${doc.number}.pdf`,
        mimetype: 'application/pdf',
      };
    }
    const out = await service.generate(internalInvoice(desc, doc, a), options);
    bytes = typeof out === 'string' ? Buffer.from(out, 'utf8') : Buffer.from(out);
  } else {
    throw new Error(`unknown format "${doc.format}"`);
  }
  const type = EXTENSIONS[doc.format] === 'pdf' ? 'application/pdf' : 'application/xml';
  return { bytes, type, ...a };
}

async function compose(desc, doc, document, fileName) {
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
  });
  const info = await transport.sendMail({
    from: desc.from,
    to: desc.to,
    subject: `Ihre Rechnung ${doc.number} – Bestellung ${doc.po || ''}`.trim(),
    text: `Your invoice ${doc.number} is attached.\n`,
    html: `<p>Your invoice <b>${doc.number}</b> is attached.</p>`,
    attachments: [{ filename: fileName, content: document.bytes, contentType: document.type }],
  });
  return info.message;
}

async function main() {
  const out = process.argv[2];
  if (!out) throw new Error('usage: make_invoices.mjs OUT_DIR < description.json');
  const desc = JSON.parse(readFileSync(0, 'utf8'));
  const manifest = [];
  for (const [i, doc] of desc.documents.entries()) {
    const ext = EXTENSIONS[doc.format];
    if (!ext) throw new Error(`unknown format "${doc.format}"`);
    const document = await makeDocument(desc, doc);
    // Non-ASCII and long, so nodemailer encodes it (RFC 2231 continuations
    // in Content-Disposition, an RFC 2047 word in Content-Type's name).
    const fileName =
      doc.file_name || `Rechnung für Bestellung ${doc.po || doc.number} – Nr. ${doc.number}.${ext}`;
    const base = path.join(out, `${i}-${doc.format}`);
    writeFileSync(`${base}.${ext}`, document.bytes);
    writeFileSync(`${base}.eml`, await compose(desc, doc, document, fileName));
    manifest.push({
      format: doc.format,
      number: doc.number,
      po: doc.po || '',
      file_name: fileName,
      document: `${base}.${ext}`,
      mail: `${base}.eml`,
      net: document.net || '',
      tax: document.tax || '',
      gross: document.gross || '',
    });
  }
  process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
}

main().catch((e) => {
  process.stderr.write(`make_invoices: ${e.stack || e}\n`);
  process.exit(1);
});

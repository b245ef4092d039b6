// The demo portal's data: the invoices a supplier has sent (9 invoices, 3 per page).
window.PORTAL_INVOICES = [
  {number: "INV-2026-0101", supplier: "Acme Office Supplies", date: "2026-10-02", amount: "1,240.00", file: "INV-2026-0101.pdf"},
  {number: "INV-2026-0102", supplier: "Bolt Logistics", date: "2026-10-05", amount: "380.50", file: "INV-2026-0102.pdf"},
  {number: "INV-2026-0103", supplier: "Cogs & Gears SA", date: "2026-10-09", amount: "5,125.75", file: "INV-2026-0103.pdf"},
  {number: "INV-2026-0104", supplier: "Acme Office Supplies", date: "2026-10-14", amount: "96.20", file: "INV-2026-0104.pdf"},
  {number: "INV-2026-0105", supplier: "Delta Cleaning", date: "2026-10-20", amount: "720.00", file: "INV-2026-0105.pdf"},
  {number: "INV-2026-0106", supplier: "Bolt Logistics", date: "2026-10-23", amount: "1,980.00", file: "INV-2026-0106.pdf"},
  {number: "INV-2026-0107", supplier: "Evergreen Catering", date: "2026-10-28", amount: "455.40", file: "INV-2026-0107.pdf"},
  {number: "INV-2026-0108", supplier: "Cogs & Gears SA", date: "2026-11-03", amount: "12,300.00", file: "INV-2026-0108.pdf"},
  {number: "INV-2026-0109", supplier: "Delta Cleaning", date: "2026-11-06", amount: "720.00", file: "INV-2026-0109.pdf"},
];

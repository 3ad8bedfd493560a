"""Official notices (通知) and their document numbers (发文字号): drafts made from templates,
issued under a number from the register, printed in the layout of GB/T 9704-2012.

`data` holds the plain values that the service returns and the printing engine reads; `models`
the tables; `service` every read and write; `templates` the shipped templates."""

CREATE TABLE "statement_changes" (
	"village_id" integer NOT NULL,
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"revision" smallint NOT NULL,
	"voucher_number" integer NOT NULL,
	"kind" text NOT NULL,
	"summary_before" text,
	"summary_after" text,
	"amount_before_fen" bigint,
	"amount_after_fen" bigint,
	CONSTRAINT "statement_changes_pkey" PRIMARY KEY("village_id","year","month","revision","voucher_number"),
	CONSTRAINT "statement_changes_kind_valid" CHECK ("statement_changes"."kind" in ('added', 'removed', 'changed'))
);
--> statement-breakpoint
CREATE TABLE "statement_lines" (
	"village_id" integer NOT NULL,
	"year" smallint NOT NULL,
	"month" smallint NOT NULL,
	"revision" smallint NOT NULL,
	"seq" integer NOT NULL,
	"voucher_id" bigint NOT NULL,
	"line_no" smallint NOT NULL,
	"kind" text NOT NULL,
	"account_code" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	CONSTRAINT "statement_lines_pkey" PRIMARY KEY("village_id","year","month","revision","seq"),
	CONSTRAINT "statement_lines_kind_valid" CHECK ("statement_lines"."kind" in ('income', 'spending', 'other_receipt', 'other_payment')),
	CONSTRAINT "statement_lines_seq_positive" CHECK ("statement_lines"."seq" > 0)
);
--> statement-breakpoint
ALTER TABLE "statement_changes" ADD CONSTRAINT "statement_changes_period_fk" FOREIGN KEY ("village_id","year","month","revision") REFERENCES "public"."periods"("village_id","year","month","revision") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_lines" ADD CONSTRAINT "statement_lines_period_fk" FOREIGN KEY ("village_id","year","month","revision") REFERENCES "public"."periods"("village_id","year","month","revision") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
-- Backfill: derive the lines and the changes of every month published before this migration, exactly as
-- publishPeriod does when it publishes (deriveStatementLines, deriveStatementChanges in db/src/ledger/publish.ts).
insert into statement_lines (village_id, year, month, revision, seq, voucher_id, line_no, kind, account_code, amount_fen)
select village_id, year, month, revision,
       row_number() over (partition by village_id, year, month, revision order by date, number, line_no),
       voucher_id, line_no, kind, account_code, amount_fen
  from (
    select v.village_id, v.year, v.month, v.revision, v.date, v.number, l.voucher_id, l.line_no, l.account_code,
           l.amount_fen,
           case
             when a.class = 'income' and l.side = 'credit' then 'income'
             when a.class = 'expense' and l.side = 'debit' then 'spending'
             when a.class not in ('income', 'expense') and left(l.account_code, 3) not in ('101', '102')
                  and not bool_or(a.class in ('income', 'expense')) over voucher
                  and bool_or(left(l.account_code, 3) in ('101', '102')) over voucher
               then case when l.side = 'debit' then 'other_payment' else 'other_receipt' end
           end as kind
      from periods p
      join vouchers v on v.village_id = p.village_id and v.year = p.year and v.month = p.month
                     and v.revision = p.revision
      join voucher_lines l on l.village_id = v.village_id and l.voucher_id = v.id
      join accounts a on a.standard = l.standard and a.code = left(l.account_code, 3)
     where p.status = 'published'
    window voucher as (partition by l.village_id, l.voucher_id)
  ) f
 where kind is not null;
--> statement-breakpoint
with wanted as (select p.village_id, p.year, p.month, p.revision from periods p where p.status = 'published' and p.revision > 1),
pub as (
  select w.village_id, w.year, w.month, w.revision as wanted_revision, v.revision, v.number, v.summary_public,
         jsonb_build_object('date', v.date, 'summary', v.summary_public, 'attachments', v.attachments,
                            'preparer', v.preparer, 'reviewer', v.reviewer, 'approver', v.approver,
                            'lines', (select jsonb_agg(jsonb_build_array(l.line_no, l.account_code, l.side,
                                             l.amount_fen::text, l.summary_public, l.counterparty_public,
                                             l.payment_method) order by l.line_no)
                                        from voucher_lines l where l.village_id = v.village_id and l.voucher_id = v.id)) as shown,
         (select sum(l.amount_fen) from voucher_lines l
           where l.village_id = v.village_id and l.voucher_id = v.id and l.side = 'debit') as total_fen
    from wanted w
    join vouchers v on v.village_id = w.village_id and v.year = w.year and v.month = w.month
                   and v.revision in (w.revision - 1, w.revision)
),
b as (select * from pub where revision = wanted_revision - 1),
a as (select * from pub where revision = wanted_revision)
insert into statement_changes (village_id, year, month, revision, voucher_number, kind, summary_before,
                               summary_after, amount_before_fen, amount_after_fen)
select coalesce(a.village_id, b.village_id), coalesce(a.year, b.year), coalesce(a.month, b.month),
       coalesce(a.wanted_revision, b.wanted_revision), coalesce(a.number, b.number),
       case when b.number is null then 'added' when a.number is null then 'removed' else 'changed' end,
       b.summary_public, a.summary_public, b.total_fen, a.total_fen
  from a full join b on b.village_id = a.village_id and b.year = a.year and b.month = a.month
                    and b.wanted_revision = a.wanted_revision and b.number = a.number
 where a.number is null or b.number is null or a.shown <> b.shown;

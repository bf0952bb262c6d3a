// Seeding in a process of its own (`node --import tsx bench/seed-host.ts '<jobs as JSON>'`), so
// that two stores of the history figure are written at once, one per CPU: each is one SQLite file
// with one writer, and seeding is CPU-bound. The jobs run one after another; a line per 100,000
// conversations (`seeded <dir> <n>`) and one at the end of each job (`done <dir> <n> <ms>`).
import { seedConversations, seedConversationsFast } from './seed.ts';

export interface SeedJob {
  dir: string;
  accountIds: string[];
  perAccount: number;
  firstVisitor: number;
  /** Through relay/deliver.ts (seedConversations) instead of the store's API directly. */
  deliver?: boolean;
}

const jobs = JSON.parse(process.argv[2] ?? '[]') as SeedJob[];
for (const job of jobs) {
  const t = performance.now();
  let reported = 0;
  if (job.deliver) {
    await seedConversations(job.dir, job.accountIds, job.perAccount, { firstVisitor: job.firstVisitor });
  } else {
    await seedConversationsFast(job.dir, job.accountIds, job.perAccount, {
      firstVisitor: job.firstVisitor,
      progress: (n) => {
        if (n - reported < 100_000) return;
        reported = n;
        console.log(`seeded ${job.dir} ${n}`);
      },
    });
  }
  console.log(`done ${job.dir} ${job.accountIds.length * job.perAccount} ${Math.round(performance.now() - t)}`);
}

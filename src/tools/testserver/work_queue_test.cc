#include "tools/testserver/work_queue.h"

#include <gtest/gtest.h>

namespace ebb::testserver {
namespace {

TEST(WorkQueueTest, StartsUpToKThenQueuesThenRejects) {
  WorkQueue<int> queue(/*workers=*/2, /*queue_capacity=*/2);
  int jobs[] = {1, 2, 3, 4, 5};
  EXPECT_EQ(queue.Admit(jobs[0]), Admission::kStarted);
  EXPECT_EQ(queue.Admit(jobs[1]), Admission::kStarted);
  EXPECT_EQ(queue.Admit(jobs[2]), Admission::kQueued);
  EXPECT_EQ(queue.Admit(jobs[3]), Admission::kQueued);
  EXPECT_EQ(queue.Admit(jobs[4]), Admission::kRejected);
  EXPECT_EQ(jobs[4], 5);  // a rejected job stays with the caller
  EXPECT_EQ(queue.busy(), 2);
  EXPECT_EQ(queue.queued(), 2u);
  EXPECT_EQ(queue.counters().admitted, 4u);
  EXPECT_EQ(queue.counters().rejected, 1u);
  EXPECT_EQ(queue.counters().max_queued, 2u);
}

TEST(WorkQueueTest, AFinishedWorkerTakesTheOldestQueuedJob) {
  WorkQueue<int> queue(1, 3);
  int jobs[] = {10, 20, 30};
  EXPECT_EQ(queue.Admit(jobs[0]), Admission::kStarted);
  EXPECT_EQ(queue.Admit(jobs[1]), Admission::kQueued);
  EXPECT_EQ(queue.Admit(jobs[2]), Admission::kQueued);
  EXPECT_EQ(queue.Finish(), 20);
  EXPECT_EQ(queue.busy(), 1);
  EXPECT_EQ(queue.Finish(), 30);
  EXPECT_EQ(queue.Finish(), std::nullopt);
  EXPECT_EQ(queue.busy(), 0);
  EXPECT_TRUE(queue.idle());
  EXPECT_EQ(queue.counters().finished, 3u);
}

TEST(WorkQueueTest, ZeroCapacityMeansNoQueue) {
  WorkQueue<int> queue(1, 0);
  int a = 1, b = 2;
  EXPECT_EQ(queue.Admit(a), Admission::kStarted);
  EXPECT_EQ(queue.Admit(b), Admission::kRejected);
  EXPECT_EQ(queue.Finish(), std::nullopt);
  EXPECT_EQ(queue.Admit(b), Admission::kStarted);
}

// Little's law on a deterministic schedule: N jobs at once on K workers finish in ceil(N/K)
// rounds, which is what the server's capacity test measures in seconds.
TEST(WorkQueueTest, NJobsOnKWorkersTakeCeilNOverKRounds) {
  for (int workers = 1; workers <= 4; ++workers) {
    for (int n = 1; n <= 9; ++n) {
      WorkQueue<int> queue(workers, 100);
      int in_service = 0;
      for (int i = 0; i < n; ++i) {
        if (queue.Admit(i) == Admission::kStarted) ++in_service;
      }
      int rounds = 0;
      while (in_service > 0) {
        ++rounds;
        const int finishing = in_service;
        in_service = 0;
        for (int i = 0; i < finishing; ++i) {
          if (queue.Finish()) ++in_service;
        }
      }
      EXPECT_EQ(rounds, (n + workers - 1) / workers) << n << " jobs, " << workers << " workers";
    }
  }
}

}  // namespace
}  // namespace ebb::testserver

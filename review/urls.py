from llm_server.routers import OptionalSlashRouter
from review.views import ReviewQueueItemViewSet, ReviewQueueViewSet, TraceReviewViewSet

router = OptionalSlashRouter()
router.register("llm_analytics/review_queues", ReviewQueueViewSet, basename="review_queues")
router.register("llm_analytics/review_queue_items", ReviewQueueItemViewSet, basename="review_queue_items")
router.register("llm_analytics/trace_reviews", TraceReviewViewSet, basename="trace_reviews")

using Herald.Core.Notifications;

namespace Herald.Specification.Tests.Notifications;

public sealed class MemoryNotificationStoreTests : NotificationStoreSpecification
{
    protected override INotificationStore CreateStore(TimeProvider time) => new MemoryNotificationStore();
}

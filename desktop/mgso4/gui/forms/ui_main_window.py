# generated — do not edit: compiled from forms/main_window.ui by `make forms`
# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'main_window.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QApplication, QFrame, QHBoxLayout, QLabel,
    QMainWindow, QPushButton, QSizePolicy, QSpacerItem,
    QStackedWidget, QStatusBar, QVBoxLayout, QWidget)

class Ui_MainWindow(object):
    def setupUi(self, MainWindow):
        if not MainWindow.objectName():
            MainWindow.setObjectName(u"MainWindow")
        MainWindow.resize(1280, 800)
        self.central_widget = QWidget(MainWindow)
        self.central_widget.setObjectName(u"central_widget")
        self.central_layout = QVBoxLayout(self.central_widget)
        self.central_layout.setSpacing(8)
        self.central_layout.setObjectName(u"central_layout")
        self.central_layout.setContentsMargins(10, 10, 10, 10)
        self.training_banner = QLabel(self.central_widget)
        self.training_banner.setObjectName(u"training_banner")
        self.training_banner.setWordWrap(True)

        self.central_layout.addWidget(self.training_banner)

        self.header_layout = QHBoxLayout()
        self.header_layout.setObjectName(u"header_layout")
        self.title_label = QLabel(self.central_widget)
        self.title_label.setObjectName(u"title_label")

        self.header_layout.addWidget(self.title_label)

        self.header_spacer = QSpacerItem(20, 20, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.header_layout.addItem(self.header_spacer)

        self.user_label = QLabel(self.central_widget)
        self.user_label.setObjectName(u"user_label")

        self.header_layout.addWidget(self.user_label)

        self.change_user_button = QPushButton(self.central_widget)
        self.change_user_button.setObjectName(u"change_user_button")

        self.header_layout.addWidget(self.change_user_button)

        self.clock_label = QLabel(self.central_widget)
        self.clock_label.setObjectName(u"clock_label")

        self.header_layout.addWidget(self.clock_label)


        self.central_layout.addLayout(self.header_layout)

        self.button_bar = QFrame(self.central_widget)
        self.button_bar.setObjectName(u"button_bar")
        self.button_bar_layout = QHBoxLayout(self.button_bar)
        self.button_bar_layout.setObjectName(u"button_bar_layout")
        self.button_bar_layout.setContentsMargins(0, 0, 0, 0)
        self.new_episode_button = QPushButton(self.button_bar)
        self.new_episode_button.setObjectName(u"new_episode_button")

        self.button_bar_layout.addWidget(self.new_episode_button)

        self.open_button = QPushButton(self.button_bar)
        self.open_button.setObjectName(u"open_button")

        self.button_bar_layout.addWidget(self.open_button)

        self.back_button = QPushButton(self.button_bar)
        self.back_button.setObjectName(u"back_button")

        self.button_bar_layout.addWidget(self.back_button)

        self.button_bar_spacer = QSpacerItem(20, 20, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.button_bar_layout.addItem(self.button_bar_spacer)

        self.audit_button = QPushButton(self.button_bar)
        self.audit_button.setObjectName(u"audit_button")

        self.button_bar_layout.addWidget(self.audit_button)

        self.settings_button = QPushButton(self.button_bar)
        self.settings_button.setObjectName(u"settings_button")

        self.button_bar_layout.addWidget(self.settings_button)


        self.central_layout.addWidget(self.button_bar)

        self.alert_slot = QWidget(self.central_widget)
        self.alert_slot.setObjectName(u"alert_slot")
        self.alert_layout = QVBoxLayout(self.alert_slot)
        self.alert_layout.setSpacing(4)
        self.alert_layout.setObjectName(u"alert_layout")
        self.alert_layout.setContentsMargins(0, 0, 0, 0)

        self.central_layout.addWidget(self.alert_slot)

        self.page_stack = QStackedWidget(self.central_widget)
        self.page_stack.setObjectName(u"page_stack")
        self.board_page = QWidget()
        self.board_page.setObjectName(u"board_page")
        self.board_page_layout = QVBoxLayout(self.board_page)
        self.board_page_layout.setObjectName(u"board_page_layout")
        self.board_page_layout.setContentsMargins(0, 0, 0, 0)
        self.board_frame = QFrame(self.board_page)
        self.board_frame.setObjectName(u"board_frame")
        self.board_frame_layout = QVBoxLayout(self.board_frame)
        self.board_frame_layout.setObjectName(u"board_frame_layout")
        self.board_frame_layout.setContentsMargins(0, 0, 0, 0)

        self.board_page_layout.addWidget(self.board_frame)

        self.page_stack.addWidget(self.board_page)
        self.episode_page = QWidget()
        self.episode_page.setObjectName(u"episode_page")
        self.episode_page_layout = QVBoxLayout(self.episode_page)
        self.episode_page_layout.setObjectName(u"episode_page_layout")
        self.episode_page_layout.setContentsMargins(0, 0, 0, 0)
        self.page_stack.addWidget(self.episode_page)

        self.central_layout.addWidget(self.page_stack)

        MainWindow.setCentralWidget(self.central_widget)
        self.status_bar = QStatusBar(MainWindow)
        self.status_bar.setObjectName(u"status_bar")
        MainWindow.setStatusBar(self.status_bar)

        self.retranslateUi(MainWindow)

        QMetaObject.connectSlotsByName(MainWindow)
    # setupUi

    def retranslateUi(self, MainWindow):
        MainWindow.setWindowTitle(QCoreApplication.translate("MainWindow", u"MgSO\u2084 Preterm Proforma", None))
        self.training_banner.setText(QCoreApplication.translate("MainWindow", u"TRAINING MODE \u2014 not a clinical record. Practice entries only; synthetic (9\u2026) numbers only.", None))
        self.training_banner.setProperty(u"role", QCoreApplication.translate("MainWindow", u"training-banner", None))
#if QT_CONFIG(accessibility)
        self.training_banner.setAccessibleName(QCoreApplication.translate("MainWindow", u"Training mode banner", None))
#endif // QT_CONFIG(accessibility)
        self.title_label.setText(QCoreApplication.translate("MainWindow", u"Ward board", None))
        self.title_label.setProperty(u"role", QCoreApplication.translate("MainWindow", u"heading", None))
#if QT_CONFIG(accessibility)
        self.title_label.setAccessibleName(QCoreApplication.translate("MainWindow", u"Screen title", None))
#endif // QT_CONFIG(accessibility)
        self.user_label.setText(QCoreApplication.translate("MainWindow", u"Recording as: (not set)", None))
        self.user_label.setProperty(u"role", QCoreApplication.translate("MainWindow", u"muted", None))
#if QT_CONFIG(accessibility)
        self.user_label.setAccessibleName(QCoreApplication.translate("MainWindow", u"Who is recording", None))
#endif // QT_CONFIG(accessibility)
        self.change_user_button.setText(QCoreApplication.translate("MainWindow", u"Change user\u2026", None))
#if QT_CONFIG(accessibility)
        self.change_user_button.setAccessibleName(QCoreApplication.translate("MainWindow", u"Change who is recording", None))
#endif // QT_CONFIG(accessibility)
        self.change_user_button.setProperty(u"role", QCoreApplication.translate("MainWindow", u"secondary", None))
        self.clock_label.setText("")
        self.clock_label.setProperty(u"role", QCoreApplication.translate("MainWindow", u"clock", None))
#if QT_CONFIG(accessibility)
        self.clock_label.setAccessibleName(QCoreApplication.translate("MainWindow", u"Current date and time", None))
#endif // QT_CONFIG(accessibility)
        self.new_episode_button.setText(QCoreApplication.translate("MainWindow", u"New episode", None))
#if QT_CONFIG(accessibility)
        self.new_episode_button.setAccessibleName(QCoreApplication.translate("MainWindow", u"New episode", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(tooltip)
        self.new_episode_button.setToolTip(QCoreApplication.translate("MainWindow", u"Start a new episode (Ctrl+N)", None))
#endif // QT_CONFIG(tooltip)
        self.open_button.setText(QCoreApplication.translate("MainWindow", u"Open episode", None))
#if QT_CONFIG(accessibility)
        self.open_button.setAccessibleName(QCoreApplication.translate("MainWindow", u"Open the selected episode", None))
#endif // QT_CONFIG(accessibility)
#if QT_CONFIG(tooltip)
        self.open_button.setToolTip(QCoreApplication.translate("MainWindow", u"Open the selected episode (Enter)", None))
#endif // QT_CONFIG(tooltip)
        self.back_button.setText(QCoreApplication.translate("MainWindow", u"Back to ward board", None))
#if QT_CONFIG(accessibility)
        self.back_button.setAccessibleName(QCoreApplication.translate("MainWindow", u"Back to the ward board", None))
#endif // QT_CONFIG(accessibility)
        self.back_button.setProperty(u"role", QCoreApplication.translate("MainWindow", u"secondary", None))
#if QT_CONFIG(tooltip)
        self.back_button.setToolTip(QCoreApplication.translate("MainWindow", u"Back to the ward board (Esc)", None))
#endif // QT_CONFIG(tooltip)
        self.audit_button.setText(QCoreApplication.translate("MainWindow", u"Audit", None))
#if QT_CONFIG(accessibility)
        self.audit_button.setAccessibleName(QCoreApplication.translate("MainWindow", u"Audit", None))
#endif // QT_CONFIG(accessibility)
        self.audit_button.setProperty(u"role", QCoreApplication.translate("MainWindow", u"secondary", None))
#if QT_CONFIG(tooltip)
        self.audit_button.setToolTip(QCoreApplication.translate("MainWindow", u"Audit of all episodes", None))
#endif // QT_CONFIG(tooltip)
        self.settings_button.setText(QCoreApplication.translate("MainWindow", u"Settings", None))
#if QT_CONFIG(accessibility)
        self.settings_button.setAccessibleName(QCoreApplication.translate("MainWindow", u"Settings", None))
#endif // QT_CONFIG(accessibility)
        self.settings_button.setProperty(u"role", QCoreApplication.translate("MainWindow", u"secondary", None))
#if QT_CONFIG(tooltip)
        self.settings_button.setToolTip(QCoreApplication.translate("MainWindow", u"Unit settings", None))
#endif // QT_CONFIG(tooltip)
    # retranslateUi

